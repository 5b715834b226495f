// The lab's data files before it runs: `--data-dir`, and downloading a known file that is missing.

import Foundation
import LabRunner
import LabText

/// `--data-dir DIR` of run, demo and grade: the data directory for this command and every program it starts
/// (it becomes `LABRUN_DATA_DIR`).
func useDataDir(_ dir: String?) {
    if let dir, !dir.isEmpty { setenv("LABRUN_DATA_DIR", absolutePath(dir), 1) }
}

/// Where the data directory came from, for messages.
func dataDirSource() -> String {
    let env = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"] ?? ""
    return env.isEmpty ? "the default, ../shared/data beside the repository" : "--data-dir or LABRUN_DATA_DIR"
}

/// Makes sure each file of the front matter's `data:` is in the data directory: a missing known file (Tiny
/// Shakespeare, GPT-2's BPE files) is downloaded from its public URL and checked against its SHA-256. Offline,
/// the error (at the `data:` line) names the URL, the file and where to put it.
func prepareData(_ lab: Lab, project: Project) throws {
    let dir = project.dataDir
    let fm = FileManager.default
    var isDir: ObjCBool = false
    let dirExists = fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue
    let line = lab.frontMatterLine("data")
    for f in lab.frontMatter.data where !fm.fileExists(atPath: dir + "/" + f) {
        guard let known = DataDirectory.file(named: f) else {
            if !dirExists {
                throw LabError(lab.path, line: line, "the data directory \(dir) does not exist (\(dataDirSource())): create it and put \(f) in it, or pass --data-dir DIR")
            }
            throw LabError(lab.path, line: line, "data file '\(f)' not found in \(dir) (\(dataDirSource())): put it there, or pass --data-dir DIR")
        }
        let target = dir + "/" + known.path
        FileHandle.standardError.write(Data("\(f) is not in \(dir)\(dirExists ? "" : " (the directory does not exist yet)"): downloading \(known.url) ...\n".utf8))
        do {
            try DataDirectory.fetch(known, to: URL(fileURLWithPath: target))
        } catch {
            throw LabError(lab.path, line: line, "data file '\(f)' is missing and could not be downloaded (\(error)). "
                + "Download \(known.url) yourself and save it as \(target), or pass --data-dir DIR (a directory holding \(known.path))")
        }
    }
}
