"""Pure facts about a model: links, roll-ups, cadence, history, calibration, redaction."""
