package btopt

/*
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import "unsafe"

// A study (SQLite, docs/STUDIES.md) is written by a run with SetStudy; these
// read it back, also while a run writes it and on another machine after the
// file was copied.

// OpenStudy returns a stored run of a study (run 0: the last one) as a Result
// with every trial it recorded. ErrNotFound for a missing file or run,
// ErrIO for a file that is not a study.
func OpenStudy(path string, run int64) (*Result, error) {
	cpath, err := cString(path, "the study path")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cpath))
	var raw *C.btopt_result
	if err := call(func() C.btopt_status { return C.btopt_study_open(&raw, cpath, C.int64_t(run)) }); err != nil {
		return nil, err
	}
	return newResult(raw)
}

// StudyRuns returns the ids of a study's runs, oldest first.
func StudyRuns(path string) ([]int64, error) {
	cpath, err := cString(path, "the study path")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cpath))
	for {
		var count C.size_t
		if err := call(func() C.btopt_status { return C.btopt_study_runs(cpath, nil, 0, &count) }); err != nil {
			return nil, err
		}
		if count == 0 {
			return []int64{}, nil
		}
		ids := make([]int64, int(count))
		capacity := count
		if err := call(func() C.btopt_status {
			return C.btopt_study_runs(cpath, (*C.int64_t)(unsafe.Pointer(&ids[0])), capacity, &count)
		}); err != nil {
			return nil, err
		}
		if count <= capacity { // a run may have begun between the two calls: ask again
			return ids[:int(count)], nil
		}
	}
}

// ExportStudy writes a stored run (0: the last) as WriteJSON and WriteCSV do,
// streaming its trials from the study so memory stays flat. Either path may be
// "" (not both).
func ExportStudy(path string, run int64, jsonPath, csvPath string) error {
	cpath, err := cString(path, "the study path")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cpath))
	optional := func(p, what string) (*C.char, error) {
		if p == "" {
			return nil, nil
		}
		return cString(p, what)
	}
	cjson, err := optional(jsonPath, "the JSON path")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cjson))
	ccsv, err := optional(csvPath, "the CSV path")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ccsv))
	return call(func() C.btopt_status { return C.btopt_study_export(cpath, C.int64_t(run), cjson, ccsv) })
}
