"""Flask web app: consultant pages, JSON API and the public employer form."""
