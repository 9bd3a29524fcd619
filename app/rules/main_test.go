package rules_test

// Tests load IANA zones; under js/wasm Go has no zone database of its own.
import _ "time/tzdata"
