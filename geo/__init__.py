"""Zone Atlas: places and security-coordination zones from Arabic, Kurdish and English news.

The library behind the dashboard. Data flows one way: text -> mentions -> places -> zones ->
map and exports. Modules: :mod:`geo.data.sources` (public datasets), :mod:`geo.data.boundaries` (canonical
admin layers), and the modules named in the README.
"""

__version__ = "0.1.0"
