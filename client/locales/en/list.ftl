# list — en
# The case list: header, search, filters, rows and their states.
list-title = Cases
list-count = { $n ->
    [one] { $count } case
   *[other] { $count } cases
}
list-count-shown = { $n ->
    [one] { $shown } of { $count } case
   *[other] { $shown } of { $count } cases
}
list-search-label = Search by name
list-search-placeholder = Any spelling, Latin or Cyrillic
list-loading = Opening the cases on this device…
list-empty = No cases on this device yet.
list-new-case = Add the first case
list-no-match = No case matches this search and these filters.
list-clear-all = Clear search and filters
list-status-none = No status recorded
list-unnamed = (no name recorded)
list-conflicts = { $n ->
    [one] { $n } conflict
   *[other] { $n } conflicts
}
list-pending = Not uploaded yet
list-filters = Filters
list-filters-active = Filters ({ $n })
list-filters-clear = Clear filters
list-sorted-by-match = While searching, the best matches come first.
list-sort = Sort
list-sort-priority = By priority
list-sort-updated = By last change
list-filter-any = All
list-filter-category = Category
list-filter-status = Current status
list-filter-oblast = Oblast
list-filter-tier = Priority
list-filter-review = Review
list-filter-conflicts = Only cases with conflicts to resolve
