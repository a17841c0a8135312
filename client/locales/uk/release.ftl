# release — uk
release-title = Список на звільнення
release-intro = Виберіть справи й отримувача, перегляньте список, потім експортуйте його. Кожен експорт зазначається в усіх справах, які він містить.
release-categories = Категорії
release-categories-hint = Нічого не позначено — усі категорії.
release-statuses = Поточний статус
release-statuses-hint = Нічого не позначено — усі, хто досі зниклий безвісти чи утримується, а також справи без статусу.
release-tiers = Рівень пріоритету
release-tiers-hint = Нічого не позначено — усі рівні.
release-profile = Для кого список
release-profile-icrc = МКЧХ (Центральне агентство з розшуку)
release-profile-icrc-hint = Усі вибрані справи, зокрема суворо конфіденційні, з документами та особовими номерами: Агентство отримує дані про затриманих за міжнародними договорами й зберігає їх конфіденційно. Ніколи — контакти родини, нотатки чи джерела.
release-profile-negotiators = Переговорники (Координаційний штаб)
release-profile-negotiators-hint = Лише справи, де хтось із рідних погодився на передачу переговорникам. Без номерів документів і особових номерів; суворо конфіденційні справи не включаються.
release-profile-public_campaign = Публічна кампанія
release-profile-public_campaign-hint = Лише справи, де хтось із рідних погодився на оприлюднення, і лише ПІБ, рік народження або вік, область, категорія, статус, пріоритет і місяць затримання. Нічого, що вказує, де людина чи її родина.
release-count = { $n ->
    [0] Не вибрано жодної справи
    [one] Вибрано { $n } справу
    [few] Вибрано { $n } справи
   *[many] Вибрано { $n } справ
}
release-preview = Переглянути список
release-loading = { $n ->
    [one] Завантажується { $n } справа…
    [few] Завантажуються { $n } справи…
   *[many] Завантажується { $n } справ…
}
release-load-failed = Не вдалося завантажити справи: { $error }
release-preview-title = { $n ->
    [one] { $profile }: у списку { $n } справа
    [few] { $profile }: у списку { $n } справи
   *[many] { $profile }: у списку { $n } справ
}
release-excluded-consent = { $n ->
    [one] Не включено { $n } справу: ніхто з рідних не погодився на передачу цьому отримувачу.
    [few] Не включено { $n } справи: ніхто з рідних не погодився на передачу цьому отримувачу.
   *[many] Не включено { $n } справ: ніхто з рідних не погодився на передачу цьому отримувачу.
}
release-excluded-confidential = { $n ->
    [one] Не включено { $n } справу з грифом «суворо конфіденційно».
    [few] Не включено { $n } справи з грифом «суворо конфіденційно».
   *[many] Не включено { $n } справ з грифом «суворо конфіденційно».
}
release-excluded-none = Усі вибрані справи включено.
release-preview-empty = Жодну з вибраних справ не можна передати цьому отримувачу.
release-preview-more = Показано перші { $shown } з { $n }; файли й друк містять усі справи.
release-actions = Експорт
release-export-csv = Завантажити CSV
release-export-json = Завантажити JSON
release-print = Друкувати
release-noting = Зазначаємо експорт у справах…
release-recorded = { $n ->
    [one] Експорт зазначено в { $n } справі.
    [few] Експорт зазначено в { $n } справах.
   *[many] Експорт зазначено в { $n } справах.
}
release-not-recorded = Цей пристрій має роль переглядача: експорт зроблено, але зазначити його у справах не можна. Попросіть документувальника це зробити.
release-record-failed = Експорт зроблено, але зазначити його у справах не вдалося: { $error }
release-file-failed = Цей браузер не зміг створити файл або відкрити друк.
release-print-title = Homeward: список на звільнення — { $profile } — { $date }
release-print-count = { $n ->
    [one] { $n } справа, найтерміновіші — першими
    [few] { $n } справи, найтерміновіші — першими
   *[many] { $n } справ, найтерміновіші — першими
}
release-col-rank = №
release-col-case_id = Ідентифікатор справи
release-col-name = ПІБ
release-col-name_latin = ПІБ латиницею
release-col-sex = Стать
release-col-birth_date = Дата народження
release-col-birth_year = Рік народження
release-col-approx_age = Орієнтовний вік
release-col-citizenship = Громадянство
release-col-oblast = Область
release-col-category = Категорія
release-col-status = Статус
release-col-tier = Пріоритет
release-col-reasons = Підстави пріоритету
release-col-seized_on = Дата затримання
release-col-place_seized = Місце затримання
release-col-authority = Хто затримав
release-col-facility = Останнє відоме місце утримання
release-col-pow_rank = Військове звання
release-col-pow_unit = Військова частина
release-col-pow_service_number = Особовий номер
release-col-documents = Документи, що посвідчують особу
release-col-days_since_proof_of_life = Днів від останнього підтвердження, що людина жива
release-col-family_consent_icrc = Згода родини (МКЧХ)
