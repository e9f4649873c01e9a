from tests.factories import MembershipFactory, UserFactory


def test_factories_commit(app):
    membership = MembershipFactory(trainer=True)
    assert membership.id
    admin = UserFactory(admin=True)
    assert admin.is_admin
    assert admin.check_password("correct horse battery staple")
