"""Hongmian (红棉): a digital-government platform for a city's service and data bureau."""
