import ArgumentParser
import Foundation
import KopilkaCore
import KopilkaStore

/// `kopilka merchant …`
struct MerchantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merchant", abstract: "Manage merchants (tenants).", subcommands: [Create.self, SetPlan.self])

    /// `kopilka merchant create --name …`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a merchant and print its admin key once; make stores, registers and their keys through the admin API.")

        @OptionGroup var db: DatabaseOptions

        @Option(help: "The merchant's name.")
        var name: String

        @Option(help: "ISO 4217 currency with two minor digits.")
        var currency = "RUB"

        @Option(help: "The plan: \(Plan.allCases.map(\.rawValue).joined(separator: ", ")) (free runs the loyalty program only, up to 9 customers).")
        var plan: Plan = .monthly

        @Flag(help: "Print the result as JSON.")
        var json = false

        func validate() throws {
            guard (1...200).contains(name.count) else { throw ValidationError("--name must be 1…200 characters") }
            guard currency.count == 3, currency.allSatisfy({ $0.isUppercase && $0.isASCII }) else {
                throw ValidationError("--currency must be three capital letters, e.g. RUB")
            }
        }

        func run() async throws {
            let store = try await db.open()
            let (merchant, key) = try await store.createMerchant(name: name, currency: currency, plan: plan, now: Int64(Date().timeIntervalSince1970))
            if json {
                print(String(decoding: try JSONEncoder().encode(["merchantId": merchant.id, "adminKey": key.secret]), as: UTF8.self))
            } else {
                print("merchant \(merchant.id) «\(merchant.name)» created")
                print("admin key (shown once, keep it safe): \(key.secret)")
            }
        }
    }

    /// `kopilka merchant set-plan --merchant … --plan …`
    struct SetPlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-plan", abstract: "Move a merchant to another plan (a program using more than the plan allows stays, but cannot be saved again).")

        @OptionGroup var db: DatabaseOptions

        @Option(help: "The merchant's id.")
        var merchant: Int64

        @Option(help: "The plan: \(Plan.allCases.map(\.rawValue).joined(separator: ", ")).")
        var plan: Plan

        func run() async throws {
            try await db.open().setPlan(merchantId: merchant, plan: plan, now: Int64(Date().timeIntervalSince1970))
            print("merchant \(merchant) is on the \(plan.rawValue) plan")
        }
    }
}

extension Plan: ExpressibleByArgument {}
