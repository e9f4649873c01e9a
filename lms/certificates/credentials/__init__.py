"""Open Badges 3.0 credentials, their issuer's keys and the list that revokes them.

Every issued certificate (the path) and attestation (a block) carries an ``OpenBadgeCredential``
(W3C Verifiable Credentials 2.0) signed with the organisation's Ed25519 key
(``lms.core.dataintegrity``), frozen at issuance like the PDF it is embedded in, and pointing at
its bit in a ``BitstringStatusListCredential`` that revocation flips (CREDENTIALS.md).
"""
