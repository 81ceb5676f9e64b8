"""Page producers: model → generated pages. Each is pure (context in, files out).

Each page module has a ``produce(ctx: SiteContext) -> Iterable[GeneratedFile]``;
the list that runs them is :data:`okrsite.site.build.PRODUCERS`. This
``__init__`` imports nothing, so a page module importing a sibling does not
pull in every other page.
"""
