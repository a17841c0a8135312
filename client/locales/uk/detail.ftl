# detail — uk
# Екран справи.

detail-loading = Відкриваємо справу…
detail-not-on-device = Цієї справи немає на цьому пристрої. Можливо, вона надійде з наступною синхронізацією.
detail-load-failed = Не вдалося відкрити справу.
detail-no-name = (без імені)
detail-no-status = Статус не записано
detail-current-status = Поточний статус
detail-pending = { $n ->
    [one] { $n } зміна чекає на надсилання
    [few] { $n } зміни чекають на надсилання
   *[many] { $n } змін чекають на надсилання
}
detail-conflicts-badge = { $n ->
    [one] { $n } конфлікт значень
    [few] { $n } конфлікти значень
   *[many] { $n } конфліктів значень
}
detail-this-device = цей пристрій
detail-unknown-device = невідомий пристрій
detail-save-failed = Не збережено.
detail-save-invalid = Не збережено: виправте, будь ласка, таке.
detail-field-problem = { $field }: { $problem }

## Суперечливі значення

detail-conflicts-title = { $n ->
    [one] { $n } поле має суперечливі значення
    [few] { $n } поля мають суперечливі значення
   *[many] { $n } полів мають суперечливі значення
}
detail-conflicts-help = Два пристрої змінили ці поля одночасно. Для кожного поля виберіть значення, яке треба залишити.
detail-conflicts-help-viewer = Два пристрої змінили ці поля одночасно. Вибрати, яке значення залишити, може учасник із правом редагувати справи.
detail-conflict-empty = (порожньо)
detail-conflict-written-by = Хто записав: { $who }
detail-conflict-keep = Залишити це значення
detail-conflict-kept = Значення залишено: { $field }.

## Пріоритет

detail-priority-title = Пріоритет
detail-priority-score = Бали: { $score }
detail-priority-no-reasons = Вразливостей не записано.
detail-priority-gaps = Ще невідомо — варто задокументувати

## Хронологія статусів

detail-timeline-title = Хронологія статусів
detail-proof-of-life-none = Жодного підтвердження, що людина жива, не записано.
detail-proof-of-life-days = { $n ->
    [one] { $n } день від останнього підтвердження, що людина жива
    [few] { $n } дні від останнього підтвердження, що людина жива
   *[many] { $n } днів від останнього підтвердження, що людина жива
}
detail-proof-of-life-at-least = { $n ->
    [one] Щонайменше { $n } день від останнього підтвердження, що людина жива
    [few] Щонайменше { $n } дні від останнього підтвердження, що людина жива
   *[many] Щонайменше { $n } днів від останнього підтвердження, що людина жива
}
detail-proof-of-life-date = Останнє підтвердження: { $date }
detail-event-undated = Дата невідома
detail-event-source = Джерело
detail-event-reliability = Достовірність
detail-event-recorded = Записано: { $who }, { $when }
detail-event-recorded-by = Записано: { $who }
detail-add-status = Додати зміну статусу
detail-status-new-status = Новий статус
detail-status-new-date = Дата
detail-status-date-hint = Рік, місяць або повна дата: 2022, 2022-03 чи 2022-03-14. Якщо дата невідома, залиште поле порожнім.
detail-status-date-invalid = Введіть дату у вигляді 2022, 2022-03 або 2022-03-14.
detail-status-new-source = Джерело відомостей
detail-status-new-reliability = Достовірність
detail-status-save = Додати
detail-status-saved = Зміну статусу додано.

## Розділи

detail-section-identity = Особа
detail-section-category = Відомості за категорією
detail-section-detention = Позбавлення волі
detail-section-health = Здоров’я та вразливість
detail-section-family = Родина та згода
detail-section-sources = Джерела
detail-section-interventions = Звернення
detail-section-notes = Нотатки
detail-none-recorded = Нічого не записано.
detail-not-recorded = не записано
detail-hidden = приховано
detail-show-sensitive = Показати чутливі дані
detail-hide-sensitive = Приховати чутливі дані
detail-approx-age = { $age ->
    [one] Приблизно { $age } рік
    [few] Приблизно { $age } роки
   *[many] Приблизно { $age } років
}
detail-approx-age-on = { $age ->
    [one] Приблизно { $age } рік (станом на { $date })
    [few] Приблизно { $age } роки (станом на { $date })
   *[many] Приблизно { $age } років (станом на { $date })
}
detail-episode = Епізод { $n }
detail-whereabouts-ladder = Місцеперебування та зв’язок
detail-facility-admitted = прибуття: { $date }
detail-facility-transferred = переведення: { $date }
detail-health-noted = зафіксовано { $date }
detail-to-inform = Контакт для новин
detail-consent = Згода передавати відомості
detail-consent-granted = є згода
detail-consent-not-granted = немає згоди
detail-source-confidential = Конфіденційне
detail-attachments = { $n ->
    [one] { $n } вкладення
    [few] { $n } вкладення
   *[many] { $n } вкладень
}
detail-in-release-list = У списку на звільнення

## Історія змін

detail-history-title = Історія змін
detail-history-empty = Змін не записано.
detail-history-no-fields = Поля не змінено.
detail-history-more-fields = і ще { $n }
detail-history-show-all = Показати всі зміни ({ $n })
detail-history-show-recent = Показати лише останні зміни
