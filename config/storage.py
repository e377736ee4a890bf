"""Static files in production: WhiteNoise's hashed names and precompressed copies, with
the hashed names written into the JS modules' own imports too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModulesManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Without the rewriting, repository.<hash>.js imports `./charts.js` by its plain
    name: a request the page cannot start early (its <link rel="modulepreload"> names the
    hashed file), cached only briefly, and after a deploy possibly an old copy beside a
    new page script."""

    support_js_module_import_aggregation = True
