/* The skills of the guided self-assessment: a dozen everyday tasks, each
 * rated 0 (cannot do it) to 3 (does it alone and can explain it). */
#include "skills.h"

#include <string.h>

const struct skill skills[SKILLS_COUNT] = {
    {"device_basics", "Utiliser un ordinateur, une tablette ou un smartphone",
     "Allumer l'appareil, utiliser le clavier, la souris ou l'écran tactile, ouvrir et fermer "
     "une application.",
     "Use a computer, a tablet or a smartphone",
     "Switch the device on, use the keyboard, the mouse or the touch screen, open and close an "
     "application."},
    {"browsing", "Naviguer sur internet",
     "Ouvrir un navigateur, saisir une adresse, suivre des liens, revenir en arrière.",
     "Browse the internet", "Open a browser, type an address, follow links, go back."},
    {"online_search", "Rechercher une information fiable",
     "Utiliser un moteur de recherche et reconnaître un site officiel (service-public.fr, "
     "impots.gouv.fr …).",
     "Search for reliable information",
     "Use a search engine and recognise an official site (service-public.fr, impots.gouv.fr …)."},
    {"email", "Envoyer et recevoir des e-mails",
     "Lire, écrire et répondre à un message, joindre et ouvrir une pièce jointe.",
     "Send and receive e-mails",
     "Read, write and answer a message, attach and open an attachment."},
    {"documents", "Numériser et envoyer un document",
     "Photographier ou scanner un justificatif, l'enregistrer, le retrouver et le joindre à "
     "une démarche.",
     "Scan and send a document",
     "Photograph or scan a proof, save it, find it again and attach it to a procedure."},
    {"online_procedures", "Faire une démarche administrative en ligne",
     "Remplir un formulaire en ligne (CAF, Assurance maladie, impôts, France Travail) jusqu'à "
     "sa validation.",
     "Complete an administrative procedure online",
     "Fill in an online form (CAF, health insurance, taxes, France Travail) until it is "
     "validated."},
    {"franceconnect", "Se connecter avec FranceConnect",
     "Utiliser FranceConnect ou l'identité numérique La Poste pour accéder à un service "
     "public.",
     "Sign in with FranceConnect",
     "Use FranceConnect or La Poste's digital identity to reach a public service."},
    {"passwords", "Gérer ses mots de passe",
     "Créer un mot de passe solide, le conserver en sécurité, le réinitialiser.",
     "Manage passwords", "Choose a strong password, keep it safe, reset it."},
    {"fraud", "Repérer une arnaque",
     "Reconnaître un hameçonnage, un faux SMS ou un faux site, et savoir quoi faire.",
     "Spot a scam", "Recognise phishing, a fake text message or a fake site, and know what to do."},
    {"personal_data", "Protéger ses données personnelles",
     "Régler la confidentialité d'un compte, refuser un partage, se déconnecter d'un appareil "
     "partagé.",
     "Protect personal data",
     "Adjust the privacy of an account, refuse a sharing, sign out of a shared device."},
    {"smartphone_apps", "Utiliser les applications du smartphone",
     "Installer, mettre à jour et utiliser une application (banque, Ameli, transports).",
     "Use smartphone applications",
     "Install, update and use an application (bank, Ameli, transport)."},
    {"video_calls", "Passer un appel vidéo",
     "Rejoindre ou lancer un appel vidéo avec un proche ou un service (visio-guichet).",
     "Make a video call",
     "Join or start a video call with a relative or a service (video counter)."},
};

const char *const skill_level_labels[SKILLS_MAX_LEVEL + 1] = {
    "Ne sait pas faire", "Fait avec de l'aide", "Fait seul", "Fait seul et sait expliquer"};

const char *const skill_level_labels_en[SKILLS_MAX_LEVEL + 1] = {
    "Cannot do it", "Does it with help", "Does it alone", "Does it alone and can explain it"};

int skills_index(const char *code)
{
    for (int i = 0; code && i < SKILLS_COUNT; i++)
        if (strcmp(skills[i].code, code) == 0)
            return i;
    return -1;
}

static int sum_of(const int levels[SKILLS_COUNT])
{
    int sum = 0;
    for (int i = 0; i < SKILLS_COUNT; i++)
        sum += levels[i];
    return sum;
}

int skills_score_tenths(const int levels[SKILLS_COUNT])
{
    /* 1000 × sum / 36, rounded half away from zero (sums are non-negative). */
    int max = SKILLS_MAX_LEVEL * SKILLS_COUNT;
    return (2000 * sum_of(levels) + max) / (2 * max);
}

bool skills_autonomous(const int levels[SKILLS_COUNT])
{
    return sum_of(levels) >= SKILLS_AUTONOMY_SUM;
}
