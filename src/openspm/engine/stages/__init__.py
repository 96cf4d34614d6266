"""Pipeline stages, each emitting relational SQL: classify → credit → measure → reward → pay."""
