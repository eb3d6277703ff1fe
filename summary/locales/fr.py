"""Libellés français du résumé des opérations.

Typographie : espace insécable (U+00A0) avant « : » et entre un nombre et son unité, espace fine
insécable (U+202F) avant « ; », « ? » et « ! » ; Babel s'occupe des nombres, dates et pourcentages.
"""

from __future__ import annotations

NBSP = "\u00a0"
NNBSP = "\u202f"

LABELS: dict[str, str | dict[str, str]] = {
    # Titre et bilan
    "title": "Résumé des opérations",
    "title_client": "Compte rendu de travail",
    "as_of": "Au {when} ({zone})",
    "period_day": "{date}",
    "period_week": "Semaine {week}, {dates}",
    "period_range": "{dates}",
    "for_client": "Pour {client}",
    "level_green": "Vert",
    "level_amber": "Orange",
    "level_red": "Rouge",
    "all_clear": "Rien ne vous attend aujourd’hui.",
    "reason_overdue": {"one": "{count} tâche en retard", "other": "{count} tâches en retard"},
    "reason_sync_failed": {
        "one": "{count} synchronisation a échoué à sa dernière exécution",
        "other": "{count} synchronisations ont échoué à leur dernière exécution",
    },
    "reason_sync_refused": {
        "one": "{count} synchronisation a refusé un archivage massif",
        "other": "{count} synchronisations ont refusé un archivage massif",
    },
    "reason_credentials_failing": {
        "one": "{count} service a des identifiants qui ne fonctionnent plus",
        "other": "{count} services ont des identifiants qui ne fonctionnent plus",
    },
    "reason_at_risk": {"one": "{count} tâche à risque", "other": "{count} tâches à risque"},
    "reason_blocked": {"one": "{count} tâche bloquée", "other": "{count} tâches bloquées"},
    "reason_in_review": {
        "one": "{count} tâche en relecture depuis trop longtemps",
        "other": "{count} tâches en relecture depuis trop longtemps",
    },
    "reason_long_timers": {
        "one": "{count} minuteur tourne depuis trop longtemps",
        "other": "{count} minuteurs tournent depuis trop longtemps",
    },
    "reason_over_capacity": {
        "one": "{count} personne au-delà de sa capacité",
        "other": "{count} personnes au-delà de leur capacité",
    },
    "reason_sync_partial": {
        "one": "{count} synchronisation a partiellement échoué",
        "other": "{count} synchronisations ont partiellement échoué",
    },
    "reason_credentials_expiring": {
        "one": "{count} service a des identifiants qui expirent bientôt",
        "other": "{count} services ont des identifiants qui expirent bientôt",
    },
    "reason_no_sync": "Aucune synchronisation n’a encore eu lieu",
    # Sections
    "done": "Terminé",
    "overdue": "En retard",
    "at_risk": "À risque",
    "deadlines": "Prochaines échéances",
    "hours": "Heures",
    "blockers": "Blocages",
    "changes": "Par rapport à la période précédente",
    "health": "État des synchronisations",
    "work_done": "Travail réalisé",
    "hours_by_project": "Heures par projet",
    # Terminé
    "no_project": "Sans projet",
    "nobody": "personne",
    "unknown_person": "(inconnu)",
    "nothing_done": "Aucune tâche terminée sur la période.",
    "done_by": "{who}, {when}",
    # Retards et risques
    "nothing_overdue": "Aucune tâche en retard.",
    "nothing_at_risk": "Aucune tâche à risque.",
    "col_task": "Tâche",
    "col_owner": "Responsable",
    "col_due": "Échéance",
    "col_late": "Retard",
    "col_tracked": "Temps passé",
    "col_estimate": "Estimation",
    "col_why": "Pourquoi",
    "days_late": {"one": f"{{count}}{NBSP}jour", "other": f"{{count}}{NBSP}jours"},
    "late_today": "aujourd’hui",
    "risk_no_time": "aucun temps saisi",
    "risk_no_assignee": "personne n’est assigné",
    "risk_over_estimate": "au-delà de l’estimation",
    # Échéances
    "within_7": "Dans les 7 prochains jours",
    "within_14": "Dans 8 à 14 jours",
    "no_deadlines": "Aucune échéance dans les 14 prochains jours.",
    "due_today": "aujourd’hui",
    "due_in": {"one": f"dans {{count}}{NBSP}jour", "other": f"dans {{count}}{NBSP}jours"},
    "calendar_only": "agenda",
    # Heures
    "no_hours": "Cet espace ne suit pas le temps passé.",
    "hours_total": "{hours} saisies, dont {billable} facturables",
    "by_person": "Par personne",
    "by_project": "Par projet",
    "col_person": "Personne",
    "col_project": "Projet",
    "col_hours": "Heures",
    "col_billable": "Facturable",
    "col_capacity": "Capacité",
    "col_utilisation": "Occupation",
    "col_burn": "Consommé",
    "col_tracked_on_estimates": "Temps passé sur les tâches estimées",
    "needs_a_look": "À vérifier",
    "without_task": {
        "one": "{count} saisie sans tâche ({hours})",
        "other": "{count} saisies sans tâche ({hours})",
    },
    "without_project": {
        "one": "{count} saisie sans projet ({hours})",
        "other": "{count} saisies sans projet ({hours})",
    },
    "long_timers": "Minuteurs de plus de {hours}",
    "running_since": "en cours depuis le {when}",
    "stopped_after": "{when}, arrêté après {hours}",
    "untracked_meetings": "Réunions sans temps saisi",
    "no_calendar": f"Pas d’agenda{NBSP}: les réunions ne sont pas vérifiées.",
    "all_tidy": f"Chaque saisie a une tâche et un projet{NNBSP}; aucun minuteur n’a tourné trop longtemps.",
    "no_description": "(sans description)",
    # Blocages
    "blocked": "Bloqué",
    "in_review": "En relecture depuis plus de {days}",
    "review_days": {"one": f"{{count}}{NBSP}jour", "other": f"{{count}}{NBSP}jours"},
    "since": "depuis le {when}",
    "no_blockers": "Rien n’est bloqué ni en attente de relecture.",
    # Évolution
    "col_measure": "",
    "col_this_period": "Cette période",
    "col_previous_period": "Période précédente",
    "col_change": "Écart",
    "measure_done": "Tâches terminées",
    "measure_overdue": "Tâches en retard",
    "measure_hours": "Heures saisies",
    # Synchronisations
    "col_relation": "Synchronisation",
    "col_service": "Service",
    "col_last_run": "Dernière exécution",
    "col_outcome": "Résultat",
    "col_last_ok": "Dernier succès",
    "col_runs": "Exécutions",
    "col_changes": "Créés / modifiés / archivés",
    "relation_tasks": "Tâches",
    "relation_agenda": "Agenda",
    "relation_time": "Temps",
    "outcome_ok": "ok",
    "outcome_failed": "échec",
    "outcome_partial": "partiel",
    "outcome_refused": "refusé",
    "outcome_dry_run": "à blanc",
    "never": "jamais",
    "no_runs": "Aucune synchronisation n’a encore eu lieu.",
    "conflicts": "Conflits",
    "conflict_line": (
        f"{{item}}{NBSP}: {{field}} valait {{left}} dans {{left_service}} et {{right}} dans "
        f"{{right_service}}{NNBSP}; {{winner}} l’a emporté"
    ),
    "refused_archives": "Archivages massifs refusés",
    "refused_line": f"{{service}}{NBSP}: {{count}} éléments non archivés ({{reason}})",
    "errors": "Erreurs",
    "services": "Services",
    "col_requests": "Requêtes (période)",
    "col_requests_last": "Dernière exécution",
    "col_quota": "Quota restant",
    "col_credentials": "Identifiants",
    "quota_resets": "{count}, renouvelé {when}",
    "credentials_ok": "ok",
    "credentials_failing": "en échec",
    "credentials_expiring": "expirent le {when}",
    # Graphiques
    "chart_hours_per_day": "Heures par jour, par projet",
    "chart_hours_per_person": "Heures par personne, par projet",
    "chart_estimates": "Temps passé et estimations, par projet",
    "chart_tasks": "Tâches ouvertes et en retard",
    "series_open": "Ouvertes",
    "series_overdue": "En retard",
    "series_tracked": "Temps passé",
    "series_estimate": "Estimation",
    "no_data": "Aucune donnée",
    # Compte rendu client
    "client_total": "{hours} de travail sur la période",
    "client_nothing": "Aucun travail enregistré sur la période.",
    "other_work": "Autres travaux",
    # Ponctuation
    "colon": f"{NBSP}: ",
    "list_separator": f"{NNBSP}; ",
    # Unités
    "hours_unit": f"{{value}}{NBSP}h",
}
