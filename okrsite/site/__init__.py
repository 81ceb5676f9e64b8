"""Model → docs tree (engine-neutral; nothing here writes files or imports MkDocs).

- :mod:`~okrsite.site.tree`: the output types (``DocsTree``, ``NavItem``, ``GeneratedFile``);
- :mod:`~okrsite.site.options`: ``SiteOptions``;
- :mod:`~okrsite.site.cache`: ``BuildCache``, what a preview server keeps between rebuilds;
- :mod:`~okrsite.site.context`: ``SiteContext``, what every producer receives;
- :mod:`~okrsite.site.pages`: the page producers and their pieces;
- :mod:`~okrsite.site.navigation`: the navigation outline;
- :mod:`~okrsite.site.build`: ``build_docs_tree``, the pipeline that runs them.

This ``__init__`` imports nothing on purpose: producers import the types they
need from the modules above, and only ``build`` imports the producers, so
imports run one way (types ← pages ← navigation ← build).
"""
