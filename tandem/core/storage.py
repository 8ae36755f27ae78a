from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; ES module imports are rewritten to the hashed
    names too, so tandem.js and the libraries it imports are all cached long-term."""

    support_js_module_import_aggregation = True
