// The receipt engine's answers as JSON, keys in byte order (see `JSONWritable`).

extension Reason: JSONWritable {
    public func write(to json: inout JSONWriter) {
        guard let wording = json.wording else { return write(to: &json, message: storedMessage) }
        json.append(json: wording.json(of: self) { reason in
            var json = JSONWriter(capacity: 256)
            reason.write(to: &json, message: wording.sentence(reason))
            return json.bytes
        })
    }

    private func write(to json: inout JSONWriter, message: String?) {
        json.object {
            $0.field("code", code)
            $0.field("line", line)
            $0.field("message", message)
            $0.field("promotion", promotion)
            $0.field("values", values)
            $0.field("variant", variant)
        }
    }
}

extension ReasonValue: JSONWritable {
    public func write(to json: inout JSONWriter) {
        switch self {
        case .money(let value): json.single("money", value)
        case .points(let value): json.single("points", value)
        case .percent(let value): json.single("percent", value)
        case .quantity(let value): json.single("quantity", value)
        case .count(let value): json.single("count", value)
        case .text(let value): json.single("text", value)
        case .names(let value): json.single("names", value)
        case .lines(let value): json.single("lines", value)
        case .payments(let value): json.single("payments", value.map(\.rawValue))
        case .schedule(let value): json.single("schedule", value)
        case .condition(let value): json.single("condition", value)
        }
    }
}

extension ScheduleMiss: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            switch self {
            case .timeUnknown: $0.field("kind", "outside_schedule")
            case .startsOn(let date): $0.field("date", date.description); $0.field("kind", "not_started")
            case .endedOn(let date): $0.field("date", date.description); $0.field("kind", "ended")
            case .onlyOn(let days): $0.field("kind", "outside_days"); $0.field("weekdays", days)
            case .within(let hours): $0.field("hours", hours); $0.field("kind", "outside_hours")
            }
        }
    }
}

extension HourWindow: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("from", from.description)
            $0.field("to", to.description)
        }
    }
}

extension LineOutcome: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("amount", amount)
            $0.field("discount", discount)
            $0.field("earnedPoints", earnedPoints)
            $0.field("line", line)
            $0.field("payable", payable)
            $0.field("redeemedKopecks", redeemedKopecks)
            $0.field("redeemedPoints", redeemedPoints)
        }
    }
}

extension AppliedPromotion: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("code", code)
            $0.field("discount", discount)
            $0.field("earnedPoints", earnedPoints)
            $0.field("id", id)
            $0.field("lines", lines)
            $0.field("name", name)
            $0.field("valueKopecks", valueKopecks)
        }
    }
}

extension AppliedRule: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("id", id)
            $0.field("name", name)
            $0.field("points", points)
        }
    }
}

extension Gift: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("name", name)
            $0.field("onReceipt", onReceipt)
            $0.field("promotionId", promotionId)
            $0.field("sku", sku)
        }
    }
}

extension PresentedCode.Status: JSONWritable {
    public func write(to json: inout JSONWriter) { json.string(rawValue) }
}

extension CodeOutcome: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("applied", applied)
            $0.field("code", code)
            $0.field("status", status)
        }
    }
}

extension ReceiptCalculation: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("amount", amount)
            $0.field("codes", codes)
            $0.field("discount", discount)
            $0.field("earnedPoints", earnedPoints)
            $0.field("explanation", explanation)
            $0.field("gifts", gifts)
            $0.field("lines", lines)
            $0.field("maxRedeemable", maxRedeemable)
            $0.field("payable", payable)
            $0.field("promotions", promotions)
            $0.field("redeemedKopecks", redeemedKopecks)
            $0.field("redeemedPoints", redeemedPoints)
            $0.field("ruleLimitPoints", ruleLimitPoints)
            $0.field("rules", rules)
            $0.field("stamps", stamps)
        }
    }
}

extension StampOutcome: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("after", after)
            $0.field("before", before)
            $0.field("card", card)
            $0.field("discount", discount)
            $0.field("earned", earned)
            $0.field("every", every)
            $0.field("lines", lines)
            $0.field("name", name)
            $0.field("rewards", rewards)
            $0.field("spent", spent)
        }
    }
}

extension BalanceSnapshot: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("debt", debt)
            $0.field("pending", pending)
            $0.field("spendable", spendable)
        }
    }
}

extension TierStanding: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("level", level)
            $0.field("nextTier", nextTier)
            $0.field("privileges", privileges)
            $0.field("qualifying", qualifying)
            $0.field("tier", tier)
            $0.field("toNextTier", toNextTier)
        }
    }
}

extension LineReturn: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            $0.field("line", line)
            $0.field("quantity", quantity)
            $0.field("refundKopecks", refundKopecks)
            $0.field("restoredPoints", restoredPoints)
            $0.field("reversedPoints", reversedPoints)
        }
    }
}

extension RuleCondition: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.object {
            // In sorted order, as every writer here: the stored bytes equal JSONEncoder's with sorted keys.
            $0.field("atLeast", atLeast)
            $0.field("atMost", atMost)
            $0.field("fact", fact)
        }
    }
}
