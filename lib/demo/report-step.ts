/** The demo's last step: the interim report of its runs under reports/. */
import { writeInterimReport } from "../report";

export async function writeDemoReport(runDirs: string[], reportsDir: string): Promise<{ index: string; rows: number; files: number; table: string }> {
  const r = await writeInterimReport(runDirs, reportsDir, {
    title: "hepllm demo: interim report",
    notes: "Demo scale: simulated events, a small base model pre-trained by hepllm on event descriptions, minutes of CPU training.",
  });
  return { index: r.markdown, rows: r.rows, files: r.files, table: r.table };
}
