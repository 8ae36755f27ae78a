from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "tandem.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self):
        # Imported here, once every model is loaded.
        from tandem.cases.guidance import register_fact_source
        from tandem.cases.permissions import register_relationship_scope
        from tandem.core.access import Scope
        from tandem.mentors.matchability import register_caseload_counter
        from tandem.mentors.selectors import register_composition_comparison

        from . import (
            audit_labels,  # noqa: F401  (the audit log's wording of its actions)
            receivers,  # noqa: F401  (connects to the case lifecycle)
        )
        from .diversity import ethnicity_comparison
        from .permissions import cases_mentored_by, cases_of_supervisees
        from .selectors import live_match_count, match_facts

        register_relationship_scope(Scope.MATCHED, cases_mentored_by)
        register_relationship_scope(Scope.SUPERVISEES, cases_of_supervisees)
        register_caseload_counter(live_match_count)
        register_fact_source(match_facts)
        register_composition_comparison(ethnicity_comparison)

        # The pool's arrays are kept between requests (poolcache.py): a write to any
        # table they are made of makes every process rebuild them.
        from tandem.catalogues.models import Area, Faith, Language, Specialism
        from tandem.mentors.matchability import register_can_take_provider
        from tandem.mentors.models import (
            Accreditation,
            AccreditationLevel,
            AvailabilitySlot,
            CodeAcceptance,
            CodeOfConduct,
            Mentor,
            MentorLanguage,
            MentorSpecialism,
            VettingCheck,
            VettingCheckType,
        )

        from .models import Match
        from .poolcache import cached_pool, register_pool_source, watch_writes

        register_pool_source(
            Mentor,  # status, profile, caseload cap, areas (its many-to-many table)
            MentorLanguage,
            MentorSpecialism,
            AvailabilitySlot,
            VettingCheck,
            VettingCheckType,
            Accreditation,
            AccreditationLevel,
            CodeOfConduct,
            CodeAcceptance,
            Area,
            Language,
            Specialism,
            Faith,
            Match,  # live matches hold places
        )
        watch_writes()
        # The mentor pool page's "can take a case" filter reads the kept pool too.
        register_can_take_provider(lambda today: cached_pool(today=today).can_take)
