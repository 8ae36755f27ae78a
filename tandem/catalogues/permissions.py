from tandem.core.permissions import PermissionPolicy

from .registry import CATALOGUES, Catalogue


class CataloguePolicy(PermissionPolicy):
    """The entries of one catalogue. Every catalogue follows the one ``catalogue`` rule
    of the access matrix; only the model differs."""

    resource = "catalogue"

    def __init__(self, model):
        self.model = model


_POLICIES = {slug: CataloguePolicy(catalogue.model) for slug, catalogue in CATALOGUES.items()}


def catalogue_policy(catalogue: Catalogue) -> CataloguePolicy:
    return _POLICIES[catalogue.slug]
