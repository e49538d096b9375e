"""The demo data set (`manage.py seed_demo`): it spans every app, so it lives in the project
package, the one place allowed to import them all."""
