# list — ru
# Список дел: заголовок, поиск, фильтры, строки и их состояния.
list-title = Дела
list-count = { $n ->
    [one] { $count } дело
    [few] { $count } дела
   *[many] { $count } дел
}
list-count-shown = { $n ->
    [one] { $shown } из { $count } дела
    [few] { $shown } из { $count } дел
   *[many] { $shown } из { $count } дел
}
list-search-label = Поиск по имени
list-search-placeholder = Любое написание, латиницей или кириллицей
list-loading = Открываем дела на этом устройстве…
list-empty = На этом устройстве пока нет дел.
list-new-case = Добавить первое дело
list-no-match = Ни одно дело не соответствует этому поиску и фильтрам.
list-clear-all = Сбросить поиск и фильтры
list-status-none = Статус не указан
list-unnamed = (имя не указано)
list-conflicts = { $n ->
    [one] { $n } конфликт
    [few] { $n } конфликта
   *[many] { $n } конфликтов
}
list-pending = Ещё не отправлено
list-filters = Фильтры
list-filters-active = Фильтры ({ $n })
list-filters-clear = Сбросить фильтры
list-sorted-by-match = При поиске сначала показаны лучшие совпадения.
list-sort = Сортировка
list-sort-priority = По приоритету
list-sort-updated = По последнему изменению
list-filter-any = Все
list-filter-category = Категория
list-filter-status = Текущий статус
list-filter-oblast = Область
list-filter-tier = Приоритет
list-filter-review = Проверка
list-filter-conflicts = Только дела с конфликтами, которые нужно разрешить
