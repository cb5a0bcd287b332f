"""Views: presentations of model results (terminal tables now; charts, map and HTML later)."""
