module github.com/btopt/btopt/bindings/go

go 1.19
