/* Each list is written once, as X(code, French label, English label): the
 * codes array and the labels come from the same lines. */
#include "codes.h"

#include <string.h>

/* clang-format off */
#define NEEDS(X)                                                                                   \
    X("digital_identity", "Identité numérique (FranceConnect, compte en ligne)",                 \
      "Digital identity (FranceConnect, online account)")                                          \
    X("caf_procedures", "Démarches CAF", "CAF (family allowance) procedures")                      \
    X("employment", "Emploi (France Travail, candidatures)", "Employment (France Travail, applications)") \
    X("health_insurance", "Assurance maladie (Ameli, complémentaire)", "Health insurance (Ameli, top-up cover)") \
    X("taxes", "Impôts", "Taxes")                                                                  \
    X("equipment", "Équipement (ordinateur, téléphone, connexion)", "Equipment (computer, phone, connection)") \
    X("basic_digital_skills", "Compétences numériques de base", "Basic digital skills")            \
    X("housing", "Logement", "Housing")                                                            \
    X("retirement", "Retraite", "Retirement")                                                      \
    X("other", "Autre", "Other")

#define THEMES(X)                                                                                  \
    X("first_steps", "Premiers pas avec le numérique", "First steps with digital tools")           \
    X("email", "Messagerie électronique", "E-mail")                                                \
    X("online_procedures", "Démarches en ligne", "Online procedures")                              \
    X("digital_identity", "Identité numérique", "Digital identity")                                \
    X("passwords", "Mots de passe", "Passwords")                                                   \
    X("cybersecurity", "Cybersécurité", "Cybersecurity")                                           \
    X("smartphone", "Smartphone", "Smartphone")                                                    \
    X("tablet", "Tablette", "Tablet")                                                              \
    X("parents_and_screens", "Parents et écrans", "Parents and screens")                          \
    X("digital_hygiene", "Hygiène numérique", "Digital hygiene")                                   \
    X("device_handover", "Prise en main d'un appareil remis", "Getting started with a handed-over device") \
    X("health_online", "Santé en ligne", "Health online")                                          \
    X("employment_online", "Emploi en ligne", "Employment online")                                 \
    X("video_calls", "Appels vidéo", "Video calls")                                                \
    X("office_tools", "Bureautique", "Office tools")                                               \
    X("other", "Autre", "Other")

#define AUDIENCES(X)                                                                               \
    X("everyone", "Tout public", "Everyone")                                                       \
    X("beginners", "Débutants", "Beginners")                                                       \
    X("seniors", "Seniors", "Seniors")                                                             \
    X("families", "Familles", "Families")                                                          \
    X("parents", "Parents", "Parents")                                                             \
    X("pupils", "Élèves", "Pupils")                                                                \
    X("young_people", "Jeunes", "Young people")                                                    \
    X("working_people", "Actifs", "Working people")                                                \
    X("job_seekers", "Demandeurs d'emploi", "Job seekers")                                         \
    X("professionals", "Professionnels", "Professionals")                                          \
    X("people_with_disabilities", "Personnes en situation de handicap", "People with disabilities")

#define DEVICE_TYPES(X)                                                                            \
    X("laptop", "Ordinateur portable", "Laptop")                                                   \
    X("desktop", "Ordinateur fixe", "Desktop computer")                                            \
    X("tablet", "Tablette", "Tablet")                                                              \
    X("smartphone", "Smartphone", "Smartphone")

#define ERASURE_METHODS(X)                                                                         \
    X("software_overwrite", "Réécriture logicielle", "Software overwrite")                         \
    X("cryptographic_erase", "Effacement cryptographique", "Cryptographic erase")                  \
    X("factory_reset", "Réinitialisation d'usine", "Factory reset")

#define REFERRAL_STATUSES(X)                                                                       \
    X("sent", "Envoyée", "Sent")                                                                   \
    X("accepted", "Acceptée", "Accepted")                                                          \
    X("declined", "Refusée", "Declined")                                                           \
    X("started", "Accompagnement commencé", "Started")                                             \
    X("completed", "Accompagnement terminé", "Completed")                                          \
    X("cancelled", "Annulée", "Cancelled")                                                         \
    X("expired", "Expirée", "Expired")

#define REFERRAL_MOVES(X)                                                                          \
    X("accepted", "Accepter", "Accept")                                                            \
    X("declined", "Refuser", "Decline")                                                            \
    X("started", "Commencer l'accompagnement", "Start")                                            \
    X("completed", "Terminer l'accompagnement", "Complete")                                        \
    X("cancelled", "Annuler", "Cancel")                                                            \
    X("note", "Ajouter une note", "Add a note")                                                    \
    X("consent_withdrawn", "Retrait du consentement", "Consent withdrawn")
/* clang-format on */

struct labels {
    const char *text[LANG_COUNT];
};

#define CODE(code, fr, en)  code,
#define LABEL(code, fr, en) {{[LANG_FR] = fr, [LANG_EN] = en}},

static const char *const needs[] = {NEEDS(CODE) NULL};
static const struct labels needs_labels[] = {NEEDS(LABEL)};
static const char *const themes[] = {THEMES(CODE) NULL};
static const struct labels themes_labels[] = {THEMES(LABEL)};
static const char *const audiences[] = {AUDIENCES(CODE) NULL};
static const struct labels audiences_labels[] = {AUDIENCES(LABEL)};
static const char *const device_types[] = {DEVICE_TYPES(CODE) NULL};
static const struct labels device_types_labels[] = {DEVICE_TYPES(LABEL)};
static const char *const erasure_methods[] = {ERASURE_METHODS(CODE) NULL};
static const struct labels erasure_methods_labels[] = {ERASURE_METHODS(LABEL)};
static const char *const referral_statuses[] = {REFERRAL_STATUSES(CODE) NULL};
static const struct labels referral_statuses_labels[] = {REFERRAL_STATUSES(LABEL)};
static const char *const referral_moves[] = {REFERRAL_MOVES(CODE) NULL};
static const struct labels referral_moves_labels[] = {REFERRAL_MOVES(LABEL)};

struct list_def {
    const char *name;
    const char *const *codes;
    const struct labels *labels;
    size_t count;
};

#define LIST(name, codes, labels)                                                                  \
    {                                                                                              \
        name, codes, labels, sizeof labels / sizeof labels[0]                                      \
    }

static const struct list_def lists[CODES_LIST_COUNT] = {
    [CODES_NEEDS] = LIST("needs", needs, needs_labels),
    [CODES_THEMES] = LIST("themes", themes, themes_labels),
    [CODES_AUDIENCES] = LIST("audiences", audiences, audiences_labels),
    [CODES_DEVICE_TYPES] = LIST("device-types", device_types, device_types_labels),
    [CODES_ERASURE_METHODS] = LIST("erasure-methods", erasure_methods, erasure_methods_labels),
    [CODES_REFERRAL_STATUSES] =
        LIST("referral-statuses", referral_statuses, referral_statuses_labels),
    [CODES_REFERRAL_MOVES] = LIST("referral-moves", referral_moves, referral_moves_labels),
};

static bool valid(enum code_list list)
{
    return (unsigned)list < CODES_LIST_COUNT;
}

const char *const *codes_of(enum code_list list)
{
    static const char *const none[] = {NULL};
    return valid(list) ? lists[list].codes : none;
}

size_t codes_count(enum code_list list)
{
    return valid(list) ? lists[list].count : 0;
}

const char *codes_label(enum code_list list, size_t index, enum lang lang)
{
    if (!valid(list) || index >= lists[list].count || (unsigned)lang >= LANG_COUNT)
        return NULL;
    return lists[list].labels[index].text[lang];
}

const char *codes_name(enum code_list list)
{
    return valid(list) ? lists[list].name : NULL;
}

bool codes_find(const char *name, enum code_list *out)
{
    for (int i = 0; name && i < CODES_LIST_COUNT; i++)
        if (strcmp(lists[i].name, name) == 0) {
            *out = (enum code_list)i;
            return true;
        }
    return false;
}
