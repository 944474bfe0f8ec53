/* The standard's value lists, generated once from the JSON files below by a
 * throwaway script, then kept by hand: tests/unit/formats/test_mednum.c checks them
 * against the copies in db/seeds/ (labels, order, counts) and the code rule.
 *
 * Sources:
 * - mediation-num-enums-v1.0.2.json: the values of the multi-valued fields of
 *   LaMednum/standard-mediation-num schema.json v1.0.2 (commit e347ff40),
 *   taken from the fields' constraints.pattern; licence etalab-2.0.
 * - data-inclusion-typologies-de-structures-v0.json: gip-inclusion/
 *   data-inclusion-schema, schemas/v0/extra/typologies-de-structures.json,
 *   branch v0 (the vocabulary of the standard's `typologie` field);
 *   Licence Ouverte 2.0.
 *
 * Codes: see mednum.h. Nothing here reads a file at run time. */
#include "mednum.h"

#include <string.h>

struct mednum_list_def {
    const char *column;
    const struct mednum_value *values;
    size_t count;
};

static const struct mednum_value itinerance[] = {
    {"itinerant", "Itinérant"},
    {"fixe", "Fixe"},
};

static const struct mednum_value services[] = {
    {"aide_aux_demarches_administratives", "Aide aux démarches administratives"},
    {"maitrise_des_outils_numeriques_du_quotidien", "Maîtrise des outils numériques du quotidien"},
    {"insertion_professionnelle_via_le_numerique", "Insertion professionnelle via le numérique"},
    {"utilisation_securisee_du_numerique", "Utilisation sécurisée du numérique"},
    {"parentalite_et_education_avec_le_numerique", "Parentalité et éducation avec le numérique"},
    {"loisirs_et_creations_numeriques", "Loisirs et créations numériques"},
    {"comprehension_du_monde_numerique", "Compréhension du monde numérique"},
    {"acces_internet_et_materiel_informatique", "Accès internet et matériel informatique"},
    {"acquisition_de_materiel_informatique_a_prix_solidaire",
     "Acquisition de matériel informatique à prix solidaire"},
};

static const struct mednum_value publics[] = {
    {"jeunes", "Jeunes"},
    {"etudiants", "Étudiants"},
    {"familles_et_ou_enfants", "Familles et/ou enfants"},
    {"seniors", "Seniors"},
    {"femmes", "Femmes"},
};

static const struct mednum_value prise_en_charge[] = {
    {"surdite", "Surdité"},
    {"handicaps_moteurs", "Handicaps moteurs"},
    {"handicaps_mentaux", "Handicaps mentaux"},
    {"illettrisme", "Illettrisme"},
    {"langues_etrangeres_anglais", "Langues étrangères (anglais)"},
    {"langues_etrangeres_autres", "Langues étrangères (autres)"},
    {"deficience_visuelle", "Déficience visuelle"},
};

/* English labels of prise_en_charge, in its order (ours, not the standard's). */
static const char *const prise_en_charge_en[] = {
    "Deafness",          "Motor disabilities",          "Mental disabilities",
    "Illiteracy",        "Foreign languages (English)", "Foreign languages (others)",
    "Visual impairment",
};

static const struct mednum_value frais[] = {
    {"gratuit", "Gratuit"},
    {"gratuit_sous_condition", "Gratuit sous condition"},
    {"payant", "Payant"},
};

static const struct mednum_value dispositifs[] = {
    {"aidants_connect", "Aidants Connect"},
    {"bibliotheques_numerique_de_reference", "Bibliothèques numérique de référence"},
    {"certification_pix", "Certification PIX"},
    {"conseillers_numeriques", "Conseillers numériques"},
    {"emmaus_connect", "Emmaüs Connect"},
    {"france_services", "France Services"},
    {"grande_ecole_du_numerique", "Grande école du numérique"},
    {"la_croix_rouge", "La Croix Rouge"},
    {"point_d_acces_numerique_caf", "Point d'accès numérique CAF"},
    {"promeneurs_du_net", "Promeneurs du net"},
    {"relais_numerique_emmaus_connect", "Relais numérique (Emmaüs Connect)"},
};

static const struct mednum_value formations_labels[] = {
    {"forme_a_mon_espace_sante", "Formé à « Mon Espace Santé »"},
    {"forme_a_duplex_illettrisme", "Formé à « DUPLEX » (illettrisme)"},
    {"arnia_mednum_bfc_bourgogne_franche_comte", "Arnia/MedNum BFC (Bourgogne-Franche-Comté)"},
    {"collectif_ressources_et_acteurs_reemploi_normandie",
     "Collectif ressources et acteurs réemploi (Normandie)"},
    {"etapes_numeriques_la_poste", "Étapes numériques(La Poste)"},
    {"fabriques_de_territoire", "Fabriques de Territoire"},
    {"les_eclaireurs_du_numerique_drome", "Les Éclaireurs du numérique (Drôme)"},
    {"mes_papiers_metropole_de_lyon", "Mes Papiers (Métropole de Lyon)"},
    {"ordi_3_0", "ORDI 3.0"},
    {"sud_labs_paca", "SUD LABS (PACA)"},
};

static const struct mednum_value modalites_acces[] = {
    {"se_presenter", "Se présenter"},
    {"telephoner", "Téléphoner"},
    {"contacter_par_mail", "Contacter par mail"},
    {"prendre_un_rdv_en_ligne", "Prendre un RDV en ligne"},
    {"ce_lieu_n_accueille_pas_de_public", "Ce lieu n'accueille pas de public"},
    {"envoyer_un_mail_avec_une_fiche_de_prescription",
     "Envoyer un mail avec une fiche de prescription"},
};

static const struct mednum_value modalites_accompagnement[] = {
    {"en_autonomie", "En autonomie"},
    {"accompagnement_individuel", "Accompagnement individuel"},
    {"dans_un_atelier_collectif", "Dans un atelier collectif"},
    {"a_distance", "À distance"},
};

static const struct mednum_value typologie[] = {
    {"ACI", "Structures porteuses d’ateliers et chantiers d’insertion (ACI)"},
    {"ACIPHC", "SIAE — Atelier chantier d’insertion premières heures en chantier"},
    {"AFPA", "Agence nationale pour la formation professionnelle des adultes (AFPA)"},
    {"AI", "Associations intermédiaires (AI)"},
    {"ASE", "Aide sociale à l’enfance (ASE)"},
    {"ASSO", "Associations"},
    {"ASSO_CHOMEUR", "Associations de chômeurs"},
    {"AVIP", "Crèche À Vocation d’Insertion Professionnelle (AVIP)"},
    {"Autre", "Autre"},
    {"BIB", "Bibliothèque / Médiathèque"},
    {"CAARUD", "CAARUD - Centre d’accueil et d’accompagnement à la réduction de risques pour "
               "usagers de drogues"},
    {"CADA", "Centres d’accueil de demandeurs d’asile (CADA)"},
    {"CAF", "Caisses d’allocation familiale (CAF)"},
    {"CAP_EMPLOI", "Cap Emploi"},
    {"CAVA", "Centres d’adaptation à la vie active (CAVA)"},
    {"CC", "Communautés de Commune"},
    {"CCAS", "Centres communaux d’action sociale (CCAS)"},
    {"CCONS", "Chambres consulaires (CCI, CMA, CA)"},
    {"CD", "Conseils Départementaux (CD)"},
    {"CDAS", "Centre Départementale d’Action Sociale (CDAS)"},
    {"CFP", "Centre des Finances Publiques (CFP)"},
    {"CHRS", "Centres d’hébergement et de réinsertion sociale (CHRS)"},
    {"CHU", "Centres d’hébergement d’urgence (CHU)"},
    {"CIAS", "Centres intercommunaux d’action sociale (CIAS)"},
    {"CIDFF", "Centres d’information sur les droits des femmes et des familles (CIDFF)"},
    {"CITMET", "Cité des métiers"},
    {"CMP", "Centre Médico-Psychologique (CMP)"},
    {"CMS", "Centre Médico-Social (CMS)"},
    {"CPAM", "Caisse Primaire d’Assurance Maladie (CPAM)"},
    {"CPH", "Centres provisoires d’hébergement (CPH)"},
    {"CS", "Centre social"},
    {"CSAPA", "CSAPA - Centre de soins, d’accompagnement et de prévention en addictologie"},
    {"CSC", "Centre Socio-Culturel (CSC)"},
    {"DEETS", "Directions de l’Economie, de l’Emploi, du Travail et des Solidarités (DEETS)"},
    {"DEPT", "Services sociaux du Conseil départemental"},
    {"DIPLP", "Délégation interministérielles à la prévention et à la lutte contre la pauvreté"},
    {"E2C", "E2C - École de la 2e chance"},
    {"EA", "Entreprise adaptée (EA)"},
    {"EATT", "Entreprise Adaptée (EATT)"},
    {"EI", "Entreprises d’insertion (EI)"},
    {"EITI", "Entreprises d’insertion par le travail indépendant (EITI)"},
    {"ENM", "Espace Numérique Mobile (ENM)"},
    {"EPCI", "Intercommunalité (EPCI)"},
    {"EPI", "Espace Public Internet (EPI)"},
    {"EPIDE", "EPIDE - Établissement pour l’insertion dans l’emploi"},
    {"EPN", "Espace Public Numérique (EPN)"},
    {"ES", "Épicerie Solidaire"},
    {"ESS", "Entreprise de l’Économie Sociale et Solidaire"},
    {"ETABL_PRI", "Établissement privé"},
    {"ETABL_PUB", "Établissement public"},
    {"ETAT", "Service de l’État"},
    {"ETTI", "Entreprises de travail temporaire d’insertion (ETTI)"},
    {"EVS", "Espace de Vie Sociale (EVS)"},
    {"FABLAB", "Fablab / Atelier partagé"},
    {"FAIS", "Fédérations d’acteurs de l’insertion et de la solidarité"},
    {"FT", "France Travail"},
    {"GEIQ", "Groupements d’employeurs pour l’insertion et la qualification (GEIQ)"},
    {"HUDA", "HUDA - Hébergement d’urgence pour demandeurs d’asile"},
    {"LA_POSTE", "Bureau de poste / Agence postale"},
    {"MDE", "Maison de l’emploi"},
    {"MDEF", "Maison de l’emploi et de la formation"},
    {"MDPH", "Maison Départementale des Personnes Handicapées"},
    {"MDS", "Maison Départementale des Solidarités"},
    {"MJC", "Maison des jeunes et de la culture"},
    {"ML", "Mission Locale"},
    {"MQ", "Maison de quartier"},
    {"MSA", "Mutualité Sociale Agricole"},
    {"MSAP", "Maison de Services Au Public (MSAP)"},
    {"MUNI", "Municipalités"},
    {"OACAS",
     "Structures agréées Organisme d’accueil communautaire et d’activité solidaire (OACAS)"},
    {"ODC", "Organisation délégataire d’un CD"},
    {"OF", "Organisme de formations"},
    {"OIL", "Opérateur d’intermédiation locative"},
    {"OPCS", "Organisation porteuse de la clause sociale"},
    {"PAD", "Point d’Accès au Droit"},
    {"PENSION", "Pension de famille / résidence accueil"},
    {"PI", "Point Information (PI)"},
    {"PIJ_BIJ", "Points et bureaux information jeunesse (PIJ/BIJ)"},
    {"PIMMS", "Point Information Médiation Multi Services (PIMMS)"},
    {"PJJ", "Protection judiciaire de la jeunesse (PJJ)"},
    {"PLIE", "Plans locaux pour l’insertion et l’emploi (PLIE)"},
    {"PREF", "Préfecture, Sous-Préfecture"},
    {"PREVENTION", "Service ou club de prévention"},
    {"REG", "Région"},
    {"RESSOURCERIE", "Ressourcerie"},
    {"RFS", "Réseau France Services"},
    {"RS_FJT", "Résidence sociale / FJT - Foyer de Jeunes Travailleurs"},
    {"SCP", "Services et clubs de prévention"},
    {"SPIP", "Services pénitentiaires d’insertion et de probation (SPIP)"},
    {"TIERS_LIEUX", "Tiers lieu & coworking"},
    {"UDAF", "Union Départementale d’Aide aux Familles (UDAF)"},
};

static const struct mednum_list_def lists[MEDNUM_LIST_COUNT] = {
    [MEDNUM_ITINERANCE] = {"itinerance", itinerance, sizeof itinerance / sizeof itinerance[0]},
    [MEDNUM_SERVICES] = {"services", services, sizeof services / sizeof services[0]},
    [MEDNUM_PUBLICS] = {"publics_specifiquement_adresses", publics,
                        sizeof publics / sizeof publics[0]},
    [MEDNUM_PRISE_EN_CHARGE] = {"prise_en_charge_specifique", prise_en_charge,
                                sizeof prise_en_charge / sizeof prise_en_charge[0]},
    [MEDNUM_FRAIS] = {"frais_a_charge", frais, sizeof frais / sizeof frais[0]},
    [MEDNUM_DISPOSITIFS] = {"dispositif_programmes_nationaux", dispositifs,
                            sizeof dispositifs / sizeof dispositifs[0]},
    [MEDNUM_FORMATIONS_LABELS] = {"formations_labels", formations_labels,
                                  sizeof formations_labels / sizeof formations_labels[0]},
    [MEDNUM_MODALITES_ACCES] = {"modalites_acces", modalites_acces,
                                sizeof modalites_acces / sizeof modalites_acces[0]},
    [MEDNUM_MODALITES_ACCOMPAGNEMENT] = {"modalites_accompagnement", modalites_accompagnement,
                                         sizeof modalites_accompagnement /
                                             sizeof modalites_accompagnement[0]},
    [MEDNUM_TYPOLOGIE] = {"typologie", typologie, sizeof typologie / sizeof typologie[0]},
};

const struct mednum_value *mednum_values(enum mednum_list list, size_t *count)
{
    if ((unsigned)list >= MEDNUM_LIST_COUNT) {
        if (count)
            *count = 0;
        return NULL;
    }
    if (count)
        *count = lists[list].count;
    return lists[list].values;
}

const char *mednum_label(enum mednum_list list, const char *code)
{
    size_t count;
    const struct mednum_value *values = mednum_values(list, &count);
    for (size_t i = 0; code && i < count; i++)
        if (strcmp(values[i].code, code) == 0)
            return values[i].label;
    return NULL;
}

const char *mednum_code(enum mednum_list list, const char *label)
{
    size_t count;
    const struct mednum_value *values = mednum_values(list, &count);
    for (size_t i = 0; label && i < count; i++)
        if (strcmp(values[i].label, label) == 0)
            return values[i].code;
    return NULL;
}

const char *mednum_label_en(enum mednum_list list, size_t index)
{
    size_t n = sizeof prise_en_charge_en / sizeof prise_en_charge_en[0];
    if (list != MEDNUM_PRISE_EN_CHARGE || index >= n || index >= lists[list].count)
        return NULL;
    return prise_en_charge_en[index];
}

const char *mednum_column(enum mednum_list list)
{
    return (unsigned)list < MEDNUM_LIST_COUNT ? lists[list].column : NULL;
}
