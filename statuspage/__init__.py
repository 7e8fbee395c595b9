"""Noroshi: the Django project package (settings, urls, Celery app) and the public page."""

from statuspage.celery import app as celery_app

__all__ = ("celery_app",)
