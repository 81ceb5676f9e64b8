"""The one MkDocs adapter: the plugin, HTML parking, the programmatic build."""
