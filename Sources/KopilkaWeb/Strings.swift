/// The pages' words in Russian (the default) and English; templates read `section.key` as `{{t.section.key}}`.
enum Strings {
    static func table(_ language: Language) -> [String: String] { language == .ru ? ru : en }

    /// The table nested by the dots of its keys, as Mustache looks names up.
    static func nested(_ language: Language) -> [String: Any] { language == .ru ? nestedRu : nestedEn }

    nonisolated(unsafe) private static let nestedRu = nest(ru)
    nonisolated(unsafe) private static let nestedEn = nest(en)

    private static func nest(_ table: [String: String]) -> [String: Any] {
        var root: [String: Any] = [:]
        for (key, text) in table {
            let parts = key.split(separator: ".").map(String.init)
            if parts.count == 1 {
                root[key] = text
            } else {
                var section = root[parts[0]] as? [String: String] ?? [:]
                section[parts[1]] = text
                root[parts[0]] = section
            }
        }
        return root
    }

    static let ru: [String: String] = [
        "app": "Копилка", "console": "Кабинет", "skip": "К содержимому",
        "nav.dashboard": "Сводка", "nav.customers": "Покупатели", "nav.cashier": "Касса", "nav.signOut": "Выйти",
        "role.owner": "владелец", "role.marketer": "маркетолог", "role.cashier": "кассир",
        "yes": "да", "no": "нет",
        "signIn.title": "Вход для сотрудников", "signIn.email": "Эл. почта", "signIn.password": "Пароль", "signIn.submit": "Войти",
        "signIn.emailRequired": "Укажите эл. почту", "signIn.passwordRequired": "Введите пароль",
        "signIn.wrong": "Эл. почта или пароль не подходят",
        "error.title": "Ошибка", "error.forbidden": "Этот раздел недоступен для вашей роли.",
        "error.csrf": "Форма устарела: обновите страницу и отправьте её снова.", "error.noCustomer": "Такого покупателя нет.",
        "error.noReceipt": "Такого чека нет.", "error.back": "На главную",
        "dash.title": "Сводка", "dash.from": "С", "dash.to": "По", "dash.show": "Показать", "dash.asOf": "Данные на",
        "dash.notYet": "ещё не собраны", "dash.zone": "дни по часовому поясу", "dash.badPeriod": "Неверный период: показаны последние 30 дней.",
        "dash.members": "Участники", "dash.newInPeriod": "за период", "dash.active30": "Активны за 30 дней", "dash.quiet": "Затихли (31–90 дней)",
        "dash.frequency": "Покупок на активного за 30 дней", "dash.repeatRate": "Вернулись после первой покупки",
        "dash.receipts": "Чеки", "dash.memberShare": "с картой", "dash.sales": "Выручка",
        "dash.memberCheck": "Средний чек с картой", "dash.guestCheck": "без карты",
        "dash.issued": "Начислено баллов", "dash.spent": "Списано баллов", "dash.redemptionRate": "доля списания",
        "dash.expired": "Сгорело баллов", "dash.liability": "Обязательства по баллам", "dash.pointsUnit": "баллов",
        "dash.chartTitle": "Выручка по дням", "dash.stores": "Магазины", "dash.registers": "Кассы", "dash.top": "Лучшие покупатели",
        "dash.cohorts": "Удержание по месяцу вступления", "dash.csv": "CSV", "dash.store": "Магазин", "dash.register": "Касса",
        "dash.check": "Средний чек", "dash.withCard": "С картой", "dash.card": "Карта", "dash.name": "Имя", "dash.last": "Последняя покупка",
        "dash.month": "Месяц", "dash.joined": "Вступили", "dash.noRegister": "без кассы", "dash.days": "По дням", "dash.none": "Нет данных за период.",
        "customers.title": "Покупатели", "customers.search": "Телефон, карта или имя", "customers.find": "Найти",
        "customers.none": "Никого не нашли.", "customers.phone": "Телефон", "customers.balance": "Баллы", "customers.tier": "Уровень",
        "customer.title": "Покупатель", "customer.card": "Карта", "customer.name": "Имя", "customer.phone": "Телефон",
        "customer.email": "Эл. почта", "customer.birthday": "День рождения", "customer.joined": "Участник с",
        "customer.spendable": "Можно списать", "customer.pending": "Ожидают начисления", "customer.debt": "Долг",
        "customer.tier": "Уровень", "customer.toNext": "До уровня", "customer.lots": "Баллы и сроки", "customer.remaining": "Осталось",
        "customer.earned": "Начислено", "customer.activates": "Доступны с", "customer.expires": "Сгорают", "customer.never": "не сгорают",
        "customer.history": "История", "customer.when": "Когда", "customer.what": "Что", "customer.amount": "Баллы",
        "customer.receipt": "Чек", "customer.consents": "Согласия", "customer.personalData": "Обработка данных",
        "customer.marketing": "Рассылки", "customer.erased": "Личные данные удалены по просьбе покупателя.", "customer.noLots": "Баллов нет.",
        "customer.adjusted": "Баллы изменены.",
        "adjust.title": "Изменить баллы вручную", "adjust.credit": "Начислить", "adjust.debit": "Списать", "adjust.points": "Баллы",
        "adjust.reason": "Причина (видна в журнале)", "adjust.submit": "Сохранить", "adjust.pointsInvalid": "Укажите число баллов больше нуля",
        "adjust.reasonRequired": "Причина обязательна", "adjust.reasonLong": "Не длиннее 500 символов",
        "kind.accrual": "Начисление", "kind.welcome": "Приветственные", "kind.redemption": "Списание", "kind.hold": "Резерв заказа",
        "kind.hold_release": "Снятие резерва", "kind.restore": "Возврат списанных", "kind.reversal": "Отмена начисления",
        "kind.expiry": "Сгорание", "kind.manual_credit": "Начислено вручную", "kind.manual_debit": "Списано вручную",
        "cashier.title": "Касса", "cashier.store": "Магазин", "cashier.customer": "Телефон или карта покупателя",
        "cashier.customerHint": "Необязательно", "cashier.amount": "Сумма чека, ₽", "cashier.redeem": "Списать баллов",
        "cashier.redeemHint": "Число, «max» — сколько можно, пусто — не списывать", "cashier.calculate": "Рассчитать",
        "cashier.commit": "Провести чек", "cashier.earned": "Начислится баллов", "cashier.maxRedeemable": "Можно списать",
        "cashier.redeemed": "Спишется", "cashier.payable": "К оплате", "cashier.balance": "Баллов у покупателя",
        "cashier.storeRequired": "Выберите магазин", "cashier.amountInvalid": "Сумма — число больше нуля, например 1250,50",
        "cashier.customerInvalid": "Номер телефона или 13 цифр карты", "cashier.redeemInvalid": "Число баллов или «max»",
        "cashier.redeemNeedsCustomer": "Чтобы списать баллы, укажите покупателя", "cashier.noCustomer": "Покупатель не найден",
        "cashier.lineName": "Покупка", "cashier.result": "Расчёт",
        "receipt.title": "Чек", "receipt.number": "Номер", "receipt.at": "Время", "receipt.amount": "Сумма", "receipt.discount": "Скидка",
        "receipt.redeemed": "Списано баллов", "receipt.payable": "Оплачено", "receipt.earned": "Начислено баллов",
        "receipt.customer": "Покупатель", "receipt.lines": "Позиции", "receipt.why": "Почему так", "receipt.return": "Оформить возврат всего чека",
        "receipt.committed": "Чек проведён.", "receipt.returnedDone": "Возврат оформлен.", "receipt.returnedMark": "возвращено",
        "receipt.newSale": "Новый чек", "receipt.item": "Позиция", "receipt.quantity": "Кол-во",
    ]

    static let en: [String: String] = [
        "app": "Kopilka", "console": "Console", "skip": "Skip to content",
        "nav.dashboard": "Dashboard", "nav.customers": "Customers", "nav.cashier": "Cashier", "nav.signOut": "Sign out",
        "role.owner": "owner", "role.marketer": "marketer", "role.cashier": "cashier",
        "yes": "yes", "no": "no",
        "signIn.title": "Staff sign-in", "signIn.email": "Email", "signIn.password": "Password", "signIn.submit": "Sign in",
        "signIn.emailRequired": "Enter your email", "signIn.passwordRequired": "Enter your password",
        "signIn.wrong": "The email or the password is wrong",
        "error.title": "Error", "error.forbidden": "Your role cannot open this page.",
        "error.csrf": "The form has expired: reload the page and send it again.", "error.noCustomer": "There is no such customer.",
        "error.noReceipt": "There is no such receipt.", "error.back": "Home",
        "dash.title": "Dashboard", "dash.from": "From", "dash.to": "To", "dash.show": "Show", "dash.asOf": "Data as of",
        "dash.notYet": "not yet collected", "dash.zone": "days in time zone", "dash.badPeriod": "Invalid period: showing the last 30 days.",
        "dash.members": "Members", "dash.newInPeriod": "in period", "dash.active30": "Active in 30 days", "dash.quiet": "Went quiet (31–90 days)",
        "dash.frequency": "Purchases per active member, 30 days", "dash.repeatRate": "Came back after a first purchase",
        "dash.receipts": "Receipts", "dash.memberShare": "with a card", "dash.sales": "Sales",
        "dash.memberCheck": "Average check, members", "dash.guestCheck": "guests",
        "dash.issued": "Points issued", "dash.spent": "Points spent", "dash.redemptionRate": "redemption rate",
        "dash.expired": "Points expired", "dash.liability": "Points liability", "dash.pointsUnit": "points",
        "dash.chartTitle": "Sales by day", "dash.stores": "Stores", "dash.registers": "Registers", "dash.top": "Top customers",
        "dash.cohorts": "Retention by month of joining", "dash.csv": "CSV", "dash.store": "Store", "dash.register": "Register",
        "dash.check": "Average check", "dash.withCard": "With a card", "dash.card": "Card", "dash.name": "Name", "dash.last": "Last purchase",
        "dash.month": "Month", "dash.joined": "Joined", "dash.noRegister": "no register", "dash.days": "By day", "dash.none": "No data for the period.",
        "customers.title": "Customers", "customers.search": "Phone, card or name", "customers.find": "Find",
        "customers.none": "No one found.", "customers.phone": "Phone", "customers.balance": "Points", "customers.tier": "Tier",
        "customer.title": "Customer", "customer.card": "Card", "customer.name": "Name", "customer.phone": "Phone",
        "customer.email": "Email", "customer.birthday": "Birthday", "customer.joined": "Member since",
        "customer.spendable": "Spendable", "customer.pending": "Pending", "customer.debt": "Debt",
        "customer.tier": "Tier", "customer.toNext": "To tier", "customer.lots": "Points and expiry", "customer.remaining": "Remaining",
        "customer.earned": "Earned", "customer.activates": "Spendable from", "customer.expires": "Expires", "customer.never": "never",
        "customer.history": "History", "customer.when": "When", "customer.what": "What", "customer.amount": "Points",
        "customer.receipt": "Receipt", "customer.consents": "Consents", "customer.personalData": "Personal data",
        "customer.marketing": "Marketing", "customer.erased": "Personal data erased at the customer's request.", "customer.noLots": "No points.",
        "customer.adjusted": "Points changed.",
        "adjust.title": "Adjust points by hand", "adjust.credit": "Credit", "adjust.debit": "Debit", "adjust.points": "Points",
        "adjust.reason": "Reason (kept in the audit log)", "adjust.submit": "Save", "adjust.pointsInvalid": "Enter a number of points above zero",
        "adjust.reasonRequired": "A reason is required", "adjust.reasonLong": "At most 500 characters",
        "kind.accrual": "Earned", "kind.welcome": "Welcome bonus", "kind.redemption": "Spent", "kind.hold": "Held for an order",
        "kind.hold_release": "Hold released", "kind.restore": "Spent points returned", "kind.reversal": "Earned points taken back",
        "kind.expiry": "Expired", "kind.manual_credit": "Credited by hand", "kind.manual_debit": "Debited by hand",
        "cashier.title": "Cashier", "cashier.store": "Store", "cashier.customer": "Customer's phone or card",
        "cashier.customerHint": "Optional", "cashier.amount": "Receipt total, ₽", "cashier.redeem": "Points to spend",
        "cashier.redeemHint": "A number, “max” for as many as allowed, empty for none", "cashier.calculate": "Calculate",
        "cashier.commit": "Commit the receipt", "cashier.earned": "Points to earn", "cashier.maxRedeemable": "Can spend",
        "cashier.redeemed": "Will spend", "cashier.payable": "To pay", "cashier.balance": "Customer's points",
        "cashier.storeRequired": "Choose a store", "cashier.amountInvalid": "The total is a number above zero, e.g. 1250.50",
        "cashier.customerInvalid": "A phone number or the card's 13 digits", "cashier.redeemInvalid": "A number of points or “max”",
        "cashier.redeemNeedsCustomer": "Name the customer to spend points", "cashier.noCustomer": "No such customer",
        "cashier.lineName": "Purchase", "cashier.result": "Calculation",
        "receipt.title": "Receipt", "receipt.number": "Number", "receipt.at": "Time", "receipt.amount": "Amount", "receipt.discount": "Discount",
        "receipt.redeemed": "Points spent", "receipt.payable": "Paid", "receipt.earned": "Points earned",
        "receipt.customer": "Customer", "receipt.lines": "Items", "receipt.why": "Why", "receipt.return": "Return the whole receipt",
        "receipt.committed": "The receipt is committed.", "receipt.returnedDone": "The return is made.", "receipt.returnedMark": "returned",
        "receipt.newSale": "New receipt", "receipt.item": "Item", "receipt.quantity": "Qty",
    ]
}
