"""Scrapy project: spiders per source kind, middlewares and item pipelines."""
