import ArgumentParser
import GRDB
import Hummingbird
import Crypto
print("hi")
