import ArgumentParser
import Foundation
import KopilkaDemo
import KopilkaStore
import KopilkaWeb

/// `kopilka demo`
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a demo coffee-shop chain: stores, registers, a program, customers, months of purchases and two staff logins for the web console; print its keys.")

    @OptionGroup var db: DatabaseOptions

    @Option(help: "Customers to create.")
    var customers = 3000

    @Option(help: "Days of purchase history, ending now.")
    var days = 90

    @Option(help: "Seed: the same seed gives the same data.")
    var seed: UInt64 = 42

    @Flag(help: "Print the keys as JSON (for scripts).")
    var json = false

    func validate() throws {
        guard (1...1_000_000).contains(customers) else { throw ValidationError("--customers must be 1…1000000") }
        guard (1...3650).contains(days) else { throw ValidationError("--days must be 1…3650") }
    }

    func run() async throws {
        let store = try await db.open()
        var options = DemoSeeder.Options(end: Int64(Date().timeIntervalSince1970))
        options.customers = customers
        options.days = days
        options.seed = seed
        let quiet = json
        let started = Date()
        let result = try await DemoSeeder(store: store, options: options).run { line in
            if !quiet { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        }
        // Staff for the web console, and the dashboard's figures folded at once.
        let merchantId = Int64(result.merchant.id)!
        let password = String((0..<14).map { _ in "abcdefghjkmnpqrstuvwxyz23456789".randomElement()! })
        var console: [String: String] = ["password": password]
        for role in [StaffRole.owner, .cashier] {
            let email = "\(role.rawValue)+\(merchantId)@demo.kopilka"
            _ = try await store.createStaff(
                merchantId: merchantId, email: email, name: role == .owner ? "Ольга Смирнова" : "Иван Петров", role: role,
                password: try Passwords.hash(password), now: options.end, actor: .operator)
            console[role.rawValue] = email
        }
        try await store.rollUpAnalytics(lagSeconds: 0)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var object = try JSONSerialization.jsonObject(with: try encoder.encode(result)) as? [String: Any] ?? [:]
            object["console"] = console
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("""
            Demo merchant «\(result.merchant.name)» (id \(result.merchant.id)) in \(store.location), seed \(seed), \
            \(String(format: "%.1f", Date().timeIntervalSince(started))) s:
              \(result.customers) customers, \(result.receipts) receipts, \(result.returns) returns over \(days) days
            Admin key (shown once):  \(result.adminKey)
            """)
        for (name, key) in result.registerKeys.sorted(by: { $0.key < $1.key }) { print("Register «\(name)»: \(key)") }
        for store in result.stores { print("Store «\(store.name)» (\(store.timeZone)): id \(store.id)") }
        print("A customer to try: \(result.samplePhone)")
        print("Web console /console: \(console["owner"]!) (owner) or \(console["cashier"]!) (cashier), password \(password)")
    }
}
