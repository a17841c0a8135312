# list — uk
# Список справ: заголовок, пошук, фільтри, рядки та їхні стани.
list-title = Справи
list-count = { $n ->
    [one] { $count } справа
    [few] { $count } справи
   *[many] { $count } справ
}
list-count-shown = { $n ->
    [one] { $shown } з { $count } справи
    [few] { $shown } з { $count } справ
   *[many] { $shown } з { $count } справ
}
list-search-label = Пошук за ім’ям
list-search-placeholder = Будь-яке написання, латиницею чи кирилицею
list-loading = Відкриваємо справи на цьому пристрої…
list-empty = На цьому пристрої ще немає справ.
list-new-case = Додати першу справу
list-no-match = Жодна справа не відповідає цьому пошуку та фільтрам.
list-clear-all = Скинути пошук і фільтри
list-status-none = Статус не вказано
list-unnamed = (ім’я не вказано)
list-conflicts = { $n ->
    [one] { $n } конфлікт
    [few] { $n } конфлікти
   *[many] { $n } конфліктів
}
list-pending = Ще не надіслано
list-filters = Фільтри
list-filters-active = Фільтри ({ $n })
list-filters-clear = Скинути фільтри
list-sorted-by-match = Під час пошуку спершу показано найкращі збіги.
list-sort = Сортування
list-sort-priority = За пріоритетом
list-sort-updated = За останньою зміною
list-filter-any = Усі
list-filter-category = Категорія
list-filter-status = Поточний статус
list-filter-oblast = Область
list-filter-tier = Пріоритет
list-filter-review = Перевірка
list-filter-conflicts = Лише справи з конфліктами, які треба розв’язати
