"""The demo's projects: what each learner who has reached M5 accompanies on their territory.

Data only (``lms.demo.projects`` records it). Four learners of the cohort under way in Lille
frame their projects (one still an idea, not yet evaluated); the graduates of the two finished
cohorts in Grenoble carry theirs out. Values follow the common grid's scale (0 « Aucune
contribution » to 4 « Contribution transformatrice »), dimension by dimension: santé, lien
social, environnement, économie locale, participation, gouvernance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.projects.models import EvaluationMoment, ProjectStage

ANTE, POST, LATER = EvaluationMoment

# Values typed for one evaluation: dimension code → (value, justification).
Evaluation = dict[str, tuple[int, str]]


@dataclass(frozen=True)
class DemoProject:
    """A learner's project, its evaluations and, for the later ex post, who gets the link."""

    cohort: str  # "current", "finished" or "spring" (lms.demo.projects names them)
    learner: str  # the learner's slug
    title: str
    holder: str
    partners: tuple[str, ...]
    domains: tuple[str, ...]
    stage: ProjectStage
    description: str
    evaluations: dict[EvaluationMoment, Evaluation] = field(default_factory=dict)
    # The holder's contact the later ex post link goes to: (name, e-mail local part).
    contact: tuple[str, str] | None = None
    # "done": evaluated through a link already used; "pending": a link sent, not yet used.
    later: str | None = None


PROJECTS = (
    DemoProject(
        "current",
        "camille",
        "Une cantine bio et locale pour les écoles de Fives",
        "Collectif des parents d’élèves de Fives",
        ("Mairie de quartier de Fives", "Caisse des écoles", "Maraîcher·es bio de la métropole"),
        ("alimentation", "sante", "education"),
        ProjectStage.IDEA,
        "Passer les trois écoles élémentaires du quartier à 50 % de produits bio et locaux en "
        "deux ans, avec des menus construits par les parents, les cuisinier·es et les enfants. "
        "Le collectif rencontre la mairie de quartier en janvier pour en poser le cadre.",
    ),
    DemoProject(
        "current",
        "sacha",
        "Le jardin partagé des Moulins",
        "Association Les Jardins des Moulins (en création)",
        ("Bailleur social de la résidence", "Centre social des Moulins", "Ville de Lille"),
        ("alimentation", "lien_social"),
        ProjectStage.IDEA,
        "Transformer la pelouse au pied de deux tours en jardin potager cultivé par les "
        "habitant·es, avec des parcelles collectives, un composteur et des ateliers le samedi.",
        {
            ANTE: {
                "sante": (
                    1,
                    "Du jardinage en plein air pour quelques-un·es ; aucun suivi prévu.",
                ),
                "lien_social": (2, "Douze familles inscrites, de deux tours qui se côtoient peu."),
                "environnement": (2, "300 m² de pelouse cultivés sans intrants, un composteur."),
                "economie_locale": (0, "Aucune activité marchande ni emploi envisagé."),
                "participation": (2, "Plan du jardin dessiné lors de deux ateliers ouverts."),
                "gouvernance": (1, "Accord oral du bailleur ; pas encore de convention signée."),
            }
        },
    ),
    DemoProject(
        "current",
        "jade",
        "L’épicerie solidaire de l’Épeule",
        "Association L’Épi de l’Épeule",
        (
            "Centre communal d’action sociale de Roubaix",
            "Banque alimentaire du Nord",
            "Producteurs de la ceinture maraîchère",
        ),
        ("alimentation", "sante", "lien_social"),
        ProjectStage.EXPERIMENTATION,
        "Une épicerie où les ménages orientés par le CCAS paient 30 % du prix, et où tout le "
        "monde peut faire ses courses au prix juste. Ouverte deux après-midi par semaine depuis "
        "septembre, à l’essai, dans un local prêté par le centre social.",
        {
            ANTE: {
                "sante": (2, "Accès à des fruits et légumes frais pour 80 ménages précaires."),
                "lien_social": (
                    2,
                    "Bénévoles et client·es se croisent ; un café prévu à l’entrée.",
                ),
                "environnement": (1, "Invendus récupérés ; les emballages restent nombreux."),
                "economie_locale": (
                    2,
                    "Un tiers des achats faits à moins de 50 km.",
                ),
                "participation": (1, "Les client·es ne siègent pas encore au bureau."),
                "gouvernance": (2, "Convention signée avec le CCAS et la banque alimentaire."),
            }
        },
    ),
    DemoProject(
        "current",
        "adam",
        "Rénover ensemble une copropriété de 42 logements à Fives",
        "SCIC Rénov’Ensemble (en préfiguration)",
        (
            "Syndicat des copropriétaires",
            "Espace conseil France Rénov’ de la métropole",
            "Artisans du bâtiment du quartier",
        ),
        ("habitat", "energie"),
        ProjectStage.FINANCED,
        "Isoler les façades et changer la chaudière d’une copropriété des années 1960, en "
        "faisant des copropriétaires les maîtres d’ouvrage : chantiers participatifs pour les "
        "finitions, groupement d’artisans locaux, aides publiques mobilisées ensemble.",
        {
            ANTE: {
                "sante": (2, "Fin des logements à moins de 17 °C l’hiver, selon l’audit."),
                "lien_social": (1, "Les copropriétaires se parlent surtout en assemblée générale."),
                "environnement": (3, "Gain visé de 45 % sur la consommation de chauffage."),
                "economie_locale": (2, "Chantier confié à cinq artisans de la métropole."),
                "participation": (2, "Trois réunions publiques ; le programme de travaux voté."),
                "gouvernance": (2, "Financement bouclé avec la métropole et une banque locale."),
            }
        },
    ),
    DemoProject(
        "finished",
        "elise",
        "La Fabrique, tiers-lieu du Village Olympique",
        "SCIC La Fabrique commune",
        (
            "Ville de Grenoble (mise à disposition du local)",
            "Régie de quartier",
            "Fédération d’éducation populaire",
        ),
        ("lien_social", "culture", "emploi"),
        ProjectStage.RUNNING,
        "Un ancien local commercial devenu atelier partagé, café associatif et bureau des "
        "initiatives d’habitant·es ; la SCIC emploie deux salariées et accueille une vingtaine "
        "d’associations.",
        {
            ANTE: {
                "sante": (1, "Un lieu chauffé et ouvert, rien de plus prévu pour la santé."),
                "lien_social": (2, "Des associations du quartier cherchent un lieu commun."),
                "environnement": (1, "Mobilier de réemploi ; pas d’objectif chiffré."),
                "economie_locale": (1, "Un emploi aidé envisagé si le café trouve son public."),
                "participation": (2, "Programme co-construit lors de trois soirées ouvertes."),
                "gouvernance": (2, "Statuts de SCIC en cours, quatre collèges d’associé·es."),
            },
            POST: {
                "sante": (2, "Ateliers cuisine et marche hebdomadaires, 25 habitué·es."),
                "lien_social": (3, "400 passages par mois ; des voisin·es s’y rencontrent."),
                "environnement": (2, "Repair café mensuel : 300 kg d’objets réparés en un an."),
                "economie_locale": (3, "Deux emplois créés, recettes propres à 40 % du budget."),
                "participation": (
                    3,
                    "Les habitant·es votent le programme chaque trimestre.",
                ),
                "gouvernance": (3, "SCIC immatriculée : 62 sociétaires dont la ville."),
            },
        },
    ),
    DemoProject(
        "finished",
        "rayan",
        "Mobil’Sud : se déplacer ensemble entre Vif et Le Gua",
        "Association Mobil’Sud (collectif d’habitant·es)",
        (
            "Communes de Vif et du Gua",
            "Syndicat des mobilités de l’aire grenobloise",
            "Garage solidaire du sud grenoblois",
        ),
        ("mobilite", "lien_social", "emploi"),
        ProjectStage.RUNNING,
        "Deux voitures en autopartage, un réseau de covoiturage solidaire vers les arrêts de "
        "tram et de car, et des trajets accompagnés pour les personnes âgées des hameaux.",
        {
            ANTE: {
                "sante": (1, "Des rendez-vous médicaux manqués faute de transport."),
                "lien_social": (1, "Des hameaux isolés ; peu d’entraide organisée."),
                "environnement": (1, "Voitures individuelles pour presque tous les trajets."),
                "economie_locale": (1, "Des offres d’emploi refusées faute de moyen de transport."),
                "participation": (2, "Enquête auprès de 150 foyers pour tracer les besoins."),
                "gouvernance": (1, "Les deux communes intéressées, sans engagement écrit."),
            },
            POST: {
                "sante": (2, "90 trajets accompagnés vers des soins en six mois."),
                "lien_social": (3, "45 conducteur·ices bénévoles ; des liens entre hameaux."),
                "environnement": (2, "Environ 12 t de CO₂ évitées en un an (estimation sourcée)."),
                "economie_locale": (
                    2,
                    "Huit personnes ont pu accepter un emploi ou un stage.",
                ),
                "participation": (3, "Les usager·es fixent les règles du covoiturage en réunion."),
                "gouvernance": (3, "Convention tripartite avec les communes et le syndicat."),
            },
        },
    ),
    DemoProject(
        "finished",
        "lina",
        "Une légumerie bio pour les cantines d’Échirolles",
        "Collectif Cantines en transition",
        ("Ville d’Échirolles", "Chantier d’insertion maraîcher", "Cuisine centrale"),
        ("alimentation", "education", "emploi"),
        ProjectStage.EXPERIMENTATION,
        "Laver, éplucher et découper sur place les légumes bio de producteurs voisins pour la "
        "cuisine centrale, qui n’achète aujourd’hui que des légumes prêts à l’emploi venus de "
        "loin. Une semaine d’essai a eu lieu ; l’évaluation ex post viendra avec la soutenance.",
        {
            ANTE: {
                "sante": (2, "Plus de légumes frais dans 3 000 repas par jour."),
                "lien_social": (1, "Peu de liens entre cantine, parents et producteurs."),
                "environnement": (2, "Moins de transport et d’emballages ; bio visé à 40 %."),
                "economie_locale": (
                    3,
                    "Six postes en insertion, des débouchés pour trois fermes.",
                ),
                "participation": (1, "Parents et enfants consultés une seule fois."),
                "gouvernance": (2, "Ville, chantier d’insertion et cuisine autour de la table."),
            }
        },
    ),
    DemoProject(
        "spring",
        "zoe",
        "Les Toits du Sud : du solaire citoyen à Saint-Martin-d’Hères",
        "Société citoyenne Les Toits du Sud (SAS)",
        (
            "Ville de Saint-Martin-d’Hères",
            "Agence locale de l’énergie et du climat",
            "Copropriétés et écoles accueillant les panneaux",
        ),
        ("energie", "habitat"),
        ProjectStage.RUNNING,
        "Des panneaux photovoltaïques sur six toits publics et privés, financés par 180 "
        "habitant·es actionnaires ; les recettes financent des ateliers contre la précarité "
        "énergétique.",
        {
            ANTE: {
                "sante": (1, "Des ménages en précarité énergétique, sans action prévue pour eux."),
                "lien_social": (1, "Un petit groupe de militant·es de l’énergie."),
                "environnement": (2, "Production visée : 250 MWh par an."),
                "economie_locale": (1, "Installation confiée à une entreprise de la région."),
                "participation": (2, "Réunions publiques dans trois quartiers."),
                "gouvernance": (2, "Une voix par actionnaire ; la ville au conseil de gestion."),
            },
            POST: {
                "sante": (2, "40 ménages accompagnés pour baisser leur facture."),
                "lien_social": (2, "180 actionnaires, dont un tiers hors du milieu militant."),
                "environnement": (3, "260 MWh produits la première année."),
                "economie_locale": (2, "Recettes réinvesties dans la commune ; un mi-temps créé."),
                "participation": (3, "Les actionnaires choisissent les toits suivants."),
                "gouvernance": (3, "Baux signés avec six propriétaires, dont deux écoles."),
            },
            LATER: {
                "sante": (
                    3,
                    "70 ménages suivis par les ateliers, des factures en baisse.",
                ),
                "lien_social": (3, "Un groupe d’habitant·es anime les ateliers à son tour."),
                "environnement": (3, "Production stable ; deux toits de plus à l’étude."),
                "economie_locale": (2, "Le mi-temps est pérennisé ; recettes conformes au plan."),
                "participation": (
                    3,
                    "120 actionnaires présents ou représentés en assemblée.",
                ),
                "gouvernance": (4, "La métropole reprend le modèle pour d’autres communes."),
            },
        },
        contact=("Hélène Bonnet", "helene.bonnet"),
        later="done",
    ),
    DemoProject(
        "spring",
        "mehdi",
        "La Boucle : ressourcerie et atelier de réparation à Fontaine",
        "Association La Boucle fontainoise",
        (
            "Ville de Fontaine",
            "Service déchets de la métropole",
            "Entreprise d’insertion du réemploi",
        ),
        ("emploi", "lien_social", "habitat"),
        ProjectStage.RUNNING,
        "Collecter les objets et meubles dont les habitant·es se séparent, les réparer et les "
        "revendre à petits prix ; un atelier ouvert apprend à réparer soi-même.",
        {
            ANTE: {
                "sante": (0, "Aucun effet attendu sur la santé."),
                "lien_social": (2, "Un lieu de passage attendu au cœur du quartier."),
                "environnement": (2, "Objectif : 40 t détournées de la déchetterie par an."),
                "economie_locale": (2, "Trois postes en insertion prévus."),
                "participation": (1, "Bénévoles sollicités pour l’atelier, pas pour les choix."),
                "gouvernance": (2, "Convention de collecte signée avec la métropole."),
            },
            POST: {
                "sante": (1, "Des meubles à petit prix pour des logements peu équipés."),
                "lien_social": (3, "L’atelier réunit chaque samedi jeunes et retraité·es."),
                "environnement": (3, "48 t réemployées la première année."),
                "economie_locale": (3, "Quatre postes en insertion, deux sorties vers l’emploi."),
                "participation": (2, "Un comité d’usager·es donne son avis sur les horaires."),
                "gouvernance": (2, "Partenariat suivi par un comité de pilotage semestriel."),
            },
        },
        contact=("Karine Roussel", "karine.roussel"),
        later="pending",
    ),
)
