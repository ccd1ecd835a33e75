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

        // The owner's name stays; an item no till sent cannot be named.
        #expect(try await f.store.nameCatalogueItem(merchantId: f.merchantId, kind: .category, code: "coffee", name: "Кофе", actor: .operator, now: t0))
        #expect(try await !f.store.nameCatalogueItem(merchantId: f.merchantId, kind: .category, code: "кофе", name: "Кофе", actor: .operator, now: t0))
        _ = try await f.commit(anna, [cup], now: t0 + 120)
        try await Task.sleep(for: .milliseconds(5))
        _ = try await f.store.rollUpAnalytics(lagSeconds: 0)
        let again = try await f.store.catalogue(merchantId: f.merchantId).first { $0.kind == .category && $0.code == "coffee" }
        #expect(again?.name == "Кофе" && again?.lines == 3)
    }
}
