import ArgumentParser
import Foundation
import KopilkaStore
import KopilkaWeb

/// `kopilka staff …`
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Manage who signs in to the web console (/console).", subcommands: [Add.self, List.self])

    /// `kopilka staff add --merchant … --email … --role …`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member of staff. The password is read from KOPILKA_PASSWORD, or from the first line of standard input.")

        @OptionGroup var db: DatabaseOptions

        @Option(help: "The merchant's id.")
        var merchant: Int64

        @Option(help: "Their email: the login, unique across merchants.")
        var email: String

        @Option(help: "Their name, as the console shows it.")
        var name: String?

        @Option(help: "owner (everything), marketer (dashboard, customers), cashier (the web cashier, finding customers).")
        var role: StaffRole = .owner

        func validate() throws {
            guard email.contains("@"), (3...254).contains(email.count), !email.contains(" ") else { throw ValidationError("--email is not an email address") }
        }

        func run() async throws {
            let password = ProcessInfo.processInfo.environment["KOPILKA_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
            if let problem = Passwords.problem(with: password) { throw ValidationError("the password must have \(problem)") }
            let staff = try await db.open().createStaff(
                merchantId: merchant, email: email, name: name ?? email, role: role, password: try Passwords.hash(password),
                now: Int64(Date().timeIntervalSince1970), actor: .operator)
            print("staff \(staff.id) <\(staff.email)> (\(staff.role.rawValue)) can sign in at /console")
        }
    }

    /// `kopilka staff list --merchant …`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a merchant's staff.")

        @OptionGroup var db: DatabaseOptions

        @Option(help: "The merchant's id.")
        var merchant: Int64

        func run() async throws {
            for staff in try await db.open().staff(merchantId: merchant) {
                print("\(staff.id)\t\(staff.email)\t\(staff.role.rawValue)\t\(staff.name)\(staff.disabledAt == nil ? "" : "\tdisabled")")
            }
        }
    }
}

extension StaffRole: ExpressibleByArgument {}
