// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // The reliability suites' deliberately broken variants (`UnsafeVariants`) exist only in debug builds, the ones
    // `scripts/test` runs; release builds (`scripts/serve`, `scripts/bench`) have neither the option nor the branches.
    .define("KOPILKA_FAULTS", .when(configuration: .debug)),
]

let package = Package(
    name: "kopilka",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kopilka", targets: ["kopilka"]),
        .library(name: "KopilkaCore", targets: ["KopilkaCore"]),
        .library(name: "KopilkaStore", targets: ["KopilkaStore"]),
        .library(name: "KopilkaServer", targets: ["KopilkaServer"]),
        .library(name: "KopilkaDemo", targets: ["KopilkaDemo"]),
        .library(name: "KopilkaWeb", targets: ["KopilkaWeb"]),
        .library(name: "KopilkaWords", targets: ["KopilkaWords"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        // Pure domain: money, rules, the receipt engine, lots. No I/O, no clock.
        .target(name: "KopilkaCore", swiftSettings: swiftSettings),
        // Use-case-shaped persistence on SQLite (GRDB) or PostgreSQL (postgres-nio), with migrations for both.
        .target(
            name: "KopilkaStore",
            dependencies: [
                "KopilkaCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sentences for the core's codes, one table per language, and numbers as each language writes them.
        .target(name: "KopilkaWords", dependencies: ["KopilkaCore"], swiftSettings: swiftSettings),
        // A seeded generator of realistic merchants and purchase history (demo, bench, tests).
        .target(name: "KopilkaDemo", dependencies: ["KopilkaCore", "KopilkaStore"], swiftSettings: swiftSettings),
        // Debian's libqrencode (QR codes for joining at the counter) and zlib (their PNG), as system libraries.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Debian's zbar: the web cashier reads a customer's card off the camera's frames.
        .systemLibrary(name: "CZbar", pkgConfig: "zbar", providers: [.apt(["libzbar-dev"])]),
        // The web console, web cashier and customer cabinet: server-rendered pages (Mustache), sessions, CSRF.
        .target(
            name: "KopilkaWeb",
            dependencies: [
                "KopilkaCore", "KopilkaStore", "KopilkaWords", "CQRencode", "CZlib", "CZbar",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            resources: [.copy("Templates"), .copy("Static")],
            swiftSettings: swiftSettings
        ),
        // HTTP: the till protocol, admin API, auth, idempotency, background services; mounts the web pages.
        .target(
            name: "KopilkaServer",
            dependencies: [
                "KopilkaCore", "KopilkaStore", "KopilkaWeb", "KopilkaWords",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kopilka",
            dependencies: [
                "KopilkaCore", "KopilkaStore", "KopilkaServer", "KopilkaDemo", "KopilkaWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the store and server tests share: temporary folders and the two databases to run on.
        .target(name: "KopilkaTesting", dependencies: ["KopilkaStore"], path: "Tests/KopilkaTesting", swiftSettings: swiftSettings),
        .testTarget(name: "KopilkaCoreTests", dependencies: ["KopilkaCore"], swiftSettings: swiftSettings),
        .testTarget(name: "KopilkaWordsTests", dependencies: ["KopilkaWords", "KopilkaCore"], swiftSettings: swiftSettings),
        .testTarget(name: "KopilkaStoreTests", dependencies: ["KopilkaStore", "KopilkaDemo", "KopilkaTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KopilkaServerTests",
            dependencies: [
                "KopilkaServer", "KopilkaStore", "KopilkaTesting", "KopilkaDemo",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KopilkaWebTests",
            dependencies: ["KopilkaWeb", "KopilkaWords", "KopilkaStore", "KopilkaTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)
