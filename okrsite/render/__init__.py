"""Model values → safe text: escaping, sanitising, number formats, charts, exports."""
