"""What runs the views: the `View` base class (`view_base`), the write-behind row
caches (`row_cache`), column types (`column_types`), view generations and their
bookkeeping tables (`generations`), the read-table engine (`engine`), who runs which
view (`leadership`), the catch-up loop (`runner`), and `Projections`, which catches
up, runs, rebuilds, erases and reports status (`projections`)."""
