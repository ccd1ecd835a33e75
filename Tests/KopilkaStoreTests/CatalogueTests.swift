import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// The catalogue learns categories and SKUs from receipts in the analytics fold, once each, keeps the owner's names,
/// and tells which categories the program names that no till has sent.
@Suite struct CatalogueTests {
    @Test(arguments: TestDatabase.allCases) func theCatalogueLearnsFromReceiptsOnce(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        let anna = try await f.customer()
        let cup = ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 1000, price: 200_00)
        let bun = ReceiptLine(sku: "BUN", name: "Булочка", category: "bakery", quantity: 2000, price: 90_00)
        _ = try await f.commit(anna, [cup, bun], now: t0)
        _ = try await f.commit(nil, [cup], now: t0 + 60)
        // Rows of the current millisecond wait for the next fold.
        try await Task.sleep(for: .milliseconds(5))
        _ = try await f.store.rollUpAnalytics(lagSeconds: 0)
        _ = try await f.store.rollUpAnalytics(lagSeconds: 0)
        let items = try await f.store.catalogue(merchantId: f.merchantId)
        func item(_ kind: CatalogueItem.Kind, _ code: String) -> CatalogueItem? { items.first { $0.kind == kind && $0.code == code } }
        #expect(items.count == 4)
        #expect(item(.category, "coffee")?.lines == 2 && item(.category, "bakery")?.lines == 1, "each line once, however often folded")
        #expect(item(.sku, "CAP")?.tillName == "Капучино" && item(.sku, "CAP")?.category == "coffee" && item(.sku, "CAP")?.lastSeen.seconds == t0 + 60)
        #expect(item(.sku, "CAP")?.offeredPrice == 200_00 && item(.sku, "BUN")?.tillPrice == 90_00)

        // The owner's name and price stay; an item no till sent cannot be named. The last receipt's price is learnt.
        #expect(try await f.store.editCatalogueItem(merchantId: f.merchantId, kind: .category, code: "coffee", name: "Кофе", actor: .operator, now: t0))
        #expect(try await !f.store.editCatalogueItem(merchantId: f.merchantId, kind: .category, code: "кофе", name: "Кофе", actor: .operator, now: t0))
        #expect(try await f.store.editCatalogueItem(merchantId: f.merchantId, kind: .sku, code: "BUN", name: "", price: 95_00, actor: .operator, now: t0))
        var dearer = cup
        dearer.price = 210_00
        _ = try await f.commit(anna, [dearer], now: t0 + 120)
        try await Task.sleep(for: .milliseconds(5))
        _ = try await f.store.rollUpAnalytics(lagSeconds: 0)
        let again = try await f.store.catalogue(merchantId: f.merchantId)
        #expect(again.first { $0.kind == .category && $0.code == "coffee" }.map { $0.name == "Кофе" && $0.lines == 3 } == true)
        #expect(again.first { $0.code == "CAP" }?.offeredPrice == 210_00 && again.first { $0.code == "BUN" }?.offeredPrice == 95_00)

        // An item the owner adds for the web cashier, with its category; its code is taken once.
        #expect(try await f.store.addCatalogueItem(merchantId: f.merchantId, code: "Латте", name: "Латте", category: "кофе", price: 250_00, actor: .operator, now: t0))
        #expect(try await !f.store.addCatalogueItem(merchantId: f.merchantId, code: "Латте", name: "Другое", category: nil, price: 1_00, actor: .operator, now: t0))
        let added = try await f.store.catalogue(merchantId: f.merchantId)
        #expect(added.first { $0.code == "Латте" }.map { $0.offeredPrice == 250_00 && $0.lines == 0 && $0.shownName == "Латте" } == true)
        #expect(added.contains { $0.kind == .category && $0.code == "кофе" })
    }
}
