import KopilkaCore

// The till's answers as JSON, keys in byte order (see `JSONWritable`).

extension CustomerSummary: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("balance", balance)
            $0.field("card", card)
            $0.field("groups", groups)
            $0.field("id", id)
            $0.field("maskedName", maskedName)
            $0.field("maskedPhone", maskedPhone)
            $0.field("stamps", stamps)
            $0.field("tier", tier)
        }
    }
}

extension StampBalance: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("card", card)
            $0.field("expiresAt", expiresAt)
            $0.field("name", name)
            $0.field("stamps", stamps)
            $0.field("stampsForReward", stampsForReward)
        }
    }
}

extension EntryKind: JSONWritable {
    public func write(to json: inout JSONWriter) { json.string(rawValue) }
}

extension LedgerEntryView: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("activatesAt", activatesAt)
            $0.field("amount", amount)
            $0.field("createdAt", createdAt)
            $0.field("expiresAt", expiresAt)
            $0.field("holdId", holdId)
            $0.field("id", id)
            $0.field("kind", kind)
            $0.field("lotId", lotId)
            $0.field("note", note)
            $0.field("receiptId", receiptId)
            $0.field("returnId", returnId)
            $0.field("rule", rule)
        }
    }
}

extension ReceiptView: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("amount", amount)
            $0.field("createdAt", createdAt)
            $0.field("customerId", customerId)
            $0.field("discount", discount)
            $0.field("earnedPoints", earnedPoints)
            $0.field("explanation", explanation)
            $0.field("externalId", externalId)
            $0.field("id", id)
            $0.field("lines", lines)
            $0.field("payable", payable)
            $0.field("programVersion", programVersion)
            $0.field("redeemedKopecks", redeemedKopecks)
            $0.field("redeemedPoints", redeemedPoints)
            $0.field("registerId", registerId)
            $0.field("storeId", storeId)
        }
    }
}

extension ReceiptLineView: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("amount", amount)
            $0.field("category", category)
            $0.field("discount", discount)
            $0.field("earnedPoints", earnedPoints)
            $0.field("line", line)
            $0.field("name", name)
            $0.field("payable", payable)
            $0.field("price", price)
            $0.field("quantity", quantity)
            $0.field("redeemedKopecks", redeemedKopecks)
            $0.field("redeemedPoints", redeemedPoints)
            $0.field("returnedQuantity", returnedQuantity)
            $0.field("sku", sku)
        }
    }
}

extension ReceiptCommitted: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("balance", balance)
            $0.field("calculation", calculation)
            $0.field("entries", entries)
            $0.field("receipt", receipt)
        }
    }
}

extension ReturnMade: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("balance", balance)
            $0.field("createdAt", createdAt)
            $0.field("entries", entries)
            $0.field("id", id)
            $0.field("lines", lines)
            $0.field("receiptId", receiptId)
            $0.field("refundKopecks", refundKopecks)
            $0.field("restoredPoints", restoredPoints)
            $0.field("reversedPoints", reversedPoints)
            $0.field("unrecoveredPoints", unrecoveredPoints)
        }
    }
}
