# release — ru
release-title = Список на освобождение
release-intro = Выберите дела и получателя, просмотрите список, затем экспортируйте его. Каждый экспорт отмечается во всех делах, которые он содержит.
release-categories = Категории
release-categories-hint = Ничего не отмечено — все категории.
release-statuses = Текущий статус
release-statuses-hint = Ничего не отмечено — все, кто до сих пор пропал без вести или удерживается, а также дела без статуса.
release-tiers = Уровень приоритета
release-tiers-hint = Ничего не отмечено — все уровни.
release-profile = Для кого список
release-profile-icrc = МККК (Центральное агентство по розыску)
release-profile-icrc-hint = Все выбранные дела, включая строго конфиденциальные, с документами и личными номерами: Агентство получает данные о задержанных по международным договорам и хранит их конфиденциально. Никогда — контакты семьи, заметки или источники.
release-profile-negotiators = Переговорщики (Координационный штаб)
release-profile-negotiators-hint = Только дела, где кто-то из родных согласился на передачу переговорщикам. Без номеров документов и личных номеров; строго конфиденциальные дела не включаются.
release-profile-public_campaign = Публичная кампания
release-profile-public_campaign-hint = Только дела, где кто-то из родных согласился на публикацию, и только ФИО, год рождения или возраст, область, категория, статус, приоритет и месяц задержания. Ничего, что указывает, где человек или его семья.
release-count = { $n ->
    [0] Не выбрано ни одного дела
    [one] Выбрано { $n } дело
    [few] Выбрано { $n } дела
   *[many] Выбрано { $n } дел
}
release-preview = Просмотреть список
release-loading = { $n ->
    [one] Загружается { $n } дело…
    [few] Загружаются { $n } дела…
   *[many] Загружается { $n } дел…
}
release-load-failed = Не удалось загрузить дела: { $error }
release-preview-title = { $n ->
    [one] { $profile }: в списке { $n } дело
    [few] { $profile }: в списке { $n } дела
   *[many] { $profile }: в списке { $n } дел
}
release-excluded-consent = { $n ->
    [one] Не включено { $n } дело: никто из родных не согласился на передачу этому получателю.
    [few] Не включено { $n } дела: никто из родных не согласился на передачу этому получателю.
   *[many] Не включено { $n } дел: никто из родных не согласился на передачу этому получателю.
}
release-excluded-confidential = { $n ->
    [one] Не включено { $n } дело с пометкой «строго конфиденциально».
    [few] Не включено { $n } дела с пометкой «строго конфиденциально».
   *[many] Не включено { $n } дел с пометкой «строго конфиденциально».
}
release-excluded-none = Все выбранные дела включены.
release-preview-empty = Ни одно из выбранных дел нельзя передать этому получателю.
release-preview-more = Показаны первые { $shown } из { $n }; файлы и печать содержат все дела.
release-actions = Экспорт
release-export-csv = Скачать CSV
release-export-json = Скачать JSON
release-print = Печать
release-noting = Отмечаем экспорт в делах…
release-recorded = { $n ->
    [one] Экспорт отмечен в { $n } деле.
    [few] Экспорт отмечен в { $n } делах.
   *[many] Экспорт отмечен в { $n } делах.
}
release-not-recorded = У этого устройства роль наблюдателя: экспорт сделан, но отметить его в делах нельзя. Попросите документатора это сделать.
release-record-failed = Экспорт сделан, но отметить его в делах не удалось: { $error }
release-file-failed = Этот браузер не смог создать файл или открыть печать.
release-print-title = Homeward: список на освобождение — { $profile } — { $date }
release-print-count = { $n ->
    [one] { $n } дело, самые срочные — первыми
    [few] { $n } дела, самые срочные — первыми
   *[many] { $n } дел, самые срочные — первыми
}
release-col-rank = №
release-col-case_id = Идентификатор дела
release-col-name = ФИО
release-col-name_latin = ФИО латиницей
release-col-sex = Пол
release-col-birth_date = Дата рождения
release-col-birth_year = Год рождения
release-col-approx_age = Примерный возраст
release-col-citizenship = Гражданство
release-col-oblast = Область
release-col-category = Категория
release-col-status = Статус
release-col-tier = Приоритет
release-col-reasons = Основания приоритета
release-col-seized_on = Дата задержания
release-col-place_seized = Место задержания
release-col-authority = Кто задержал
release-col-facility = Последнее известное место содержания
release-col-pow_rank = Воинское звание
release-col-pow_unit = Воинская часть
release-col-pow_service_number = Личный номер
release-col-documents = Документы, удостоверяющие личность
release-col-days_since_proof_of_life = Дней с последнего подтверждения, что человек жив
release-col-family_consent_icrc = Согласие семьи (МККК)
