"""Page producers: model → generated pages. Each is pure (context in, files out).

Order matters only for readability of the tree; paths must not collide.
"""

from __future__ import annotations

from okrsite.site import Producer
from okrsite.site.pages import assets, data, directory, home, overview, quality, unit

PRODUCERS: list[Producer] = [
    assets.produce,
    home.produce,
    directory.produce,
    overview.produce,
    unit.produce,
    quality.produce,  # <cycle>/quality.md and rules.md
    data.produce,  # okrs.json, okrs.csv, feed.xml, export/okrs.schema.json
]
