# Форма справи: нова справа або редагування.
form-title-new = Нова справа
form-title-edit = Редагування справи
form-loading = Відкриваємо справу…
form-save = Зберегти справу
form-saving = Збереження…
form-required = (обов’язково)

# Мінімальний запис, угорі.
form-section-minimum = Мінімальний запис
form-minimum-hint = Достатньо, щоб зберегти справу під час розмови. Усе інше можна додати пізніше.
form-section-record = Облік запису
form-section-items = { $n ->
    [one] { $n } запис
    [few] { $n } записи
   *[many] { $n } записів
}
form-section-problems = { $n ->
    [one] { $n } помилка
    [few] { $n } помилки
   *[many] { $n } помилок
}

# Чернетки, що зберігаються під час введення.
form-draft-restored = Те, що ви ввели до перерви, відновлено. До справи це буде збережено, лише коли ви натиснете «Зберегти».
form-draft-discard = Відкинути чернетку

# Помилки, через які справу не збережено.
form-problems-title = { $n ->
    [one] Справу не збережено: виправте { $n } помилку
    [few] Справу не збережено: виправте { $n } помилки
   *[many] Справу не збережено: виправте { $n } помилок
}
form-problem-item = { $field }: { $message }

# Дати, відомі з точністю до року, місяця або дня.
form-date-hint = Рік, місяць або день: 2022, 03.2022, 14.03.2022 чи 2022-03-14
form-date-read-as = Прочитано як: { $date }
form-date-unreadable = Це не дата. Напишіть 2022, 03.2022, 14.03.2022 чи 2022-03-14.
form-date-impossible = Такої дати не існує (роки 1900–2100).
form-date-unknown = Дата невідома
form-number-invalid = Введіть ціле число.

# Підказки до окремих полів.
form-age-hint = Лише якщо дата народження невідома. Якщо не вказати, коли оцінено вік, буде взято сьогоднішню дату.
form-citizenships-hint = Дволітерні коди країн через кому: UA, PL
form-photo-hint = SHA-256 файлу фотографії: 64 символи, 0–9 і a–f.
form-documents-hint = Номери документів чутливі: їх ніколи не експортують без згоди родини.
form-contact-hint = Телефон, адреса чи месенджер. Чутливі дані: передаються лише так, як погодила родина.

# Списки.
form-add-alias = Додати інше ім’я
form-alias-item = Ім’я { $n }
form-add-document = Додати документ
form-document-item = Документ { $n }
form-add-detention = Додати епізод
form-detention-item = Епізод { $n }
form-ladder = Визнання, місцеперебування і зв’язок
form-add-facility = Додати місце утримання
form-facility-item = Місце { $n }
form-add-family = Додати контакт родини
form-family-item = Контакт { $n }
form-add-source = Додати джерело
form-source-item = Джерело { $n }
form-attachments = { $n ->
    [one] { $n } вкладений файл
    [few] { $n } вкладені файли
   *[many] { $n } вкладених файлів
}
form-add-intervention = Додати звернення
form-intervention-item = Звернення { $n }

# Хронологія статусів.
form-timeline-first = Статус, обраний у мінімальному записі, стане першою подією хронології. Якщо можете, додайте, коли і від кого це стало відомо.
form-timeline-readonly = Записані події змінювати не можна. Новий статус додається на сторінці справи.
form-timeline-empty = Статус ще не записано
form-status-elsewhere = Новий статус додається на сторінці справи.
