// The simulator's voice call: "Écouter" plays the turn's prompts one after the other, as
// the phone line would. (Each prompt also has its own controls.)
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".voice-listen");
  const prompts = Array.from(document.querySelectorAll("audio.voice-prompt"));
  if (!button || prompts.length === 0) return;
  const playFrom = (index) => {
    if (index >= prompts.length) return;
    prompts[index].onended = () => playFrom(index + 1);
    prompts[index].play().catch(() => {});
  };
  button.addEventListener("click", () => playFrom(0));
  playFrom(0); // after a key press the page is the call's next turn: speak it at once
});
