package punchd_test

import "punchclock/server/internal/store"

func storeFilterAll() store.PunchFilter       { return store.PunchFilter{} }
func storeEmployeesAll() store.EmployeeFilter { return store.EmployeeFilter{} }
