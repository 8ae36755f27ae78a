"""``{% load fit %}``: ``{{ score|fit_label }}`` ("Good fit") and ``{{ score|fit_sentence }}``
(the band, what it means and the points)."""

from django import template

from .. import fit

register = template.Library()

register.filter("fit_label", fit.fit_label)
register.filter("fit_sentence", fit.fit_sentence)
