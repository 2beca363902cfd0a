// The annual report page: poll each unfinished build and reload the page when one ends.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("tr.report-job"));
  const open = rows.filter((r) => r.dataset.status === "queued" || r.dataset.status === "running");
  if (!open.length) return;
  const en = document.documentElement.lang === "en";
  const stages = { data: en ? "reading data" : "读取数据", html: "HTML", pdf: "PDF", docx: "Word",
                   xlsx: "Excel", done: en ? "done" : "完成" };
  async function poll() {
    let finished = false;
    for (const row of open) {
      const res = await fetch("/api/report/jobs/" + row.dataset.job, { headers: { accept: "application/json" } });
      if (!res.ok) continue;
      const job = await res.json();
      row.querySelector("progress").value = job.percent;
      row.querySelector(".stage").textContent = (stages[job.stage] || job.stage) + " " + job.percent + "%";
      row.dataset.status = job.status;
      if (job.status === "done" || job.status === "failed") finished = true;
    }
    if (finished) { window.location.reload(); } else { setTimeout(poll, 500); }
  }
  setTimeout(poll, 300);
})();
