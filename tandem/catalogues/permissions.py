from tandem.core.permissions import PermissionPolicy

from .registry import Catalogue


class CataloguePolicy(PermissionPolicy):
    """The entries of one catalogue. Every catalogue follows the one ``catalogue`` rule
    of the access matrix; only the model differs."""

    resource = "catalogue"

    def __init__(self, model):
        self.model = model


def catalogue_policy(catalogue: Catalogue) -> CataloguePolicy:
    return CataloguePolicy(catalogue.model)
