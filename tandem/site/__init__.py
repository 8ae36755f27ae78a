"""The composition layer: what brings the apps together for a person using Tandem (role
home pages, the primary navigation, demo data). It sits above every app and no app
imports it."""
