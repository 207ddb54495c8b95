// The staff inbox. Plain JavaScript, no build step. Every piece of text from customers,
// pages or staff is put in the page as text (textContent, form values), never as HTML.
'use strict';

(() => {
  // ---------------------------------------------------------------- words (en, nl)
  const WORDS = {
    en: {
      skip: 'Skip to content',
      title: 'Inbox',
      'nav.queue': 'Queue',
      'nav.reports': 'Reports',
      'nav.pages': 'Pages',
      signOut: 'Sign out',
      'role.viewer': 'Viewer',
      'role.staff': 'Staff',
      'role.owner': 'Owner',
      'role.none': 'No access yet',
      'role.noGroup': 'You are signed in, but not in any of the inbox’s groups yet. Ask an owner to add you to viewers, staff or owners.',
      'signIn.title': 'Sign in',
      'signIn.intro': 'Sign in to answer complaints and reviews.',
      'signIn.local': 'This is the local runner: any name will do, and it works on this computer only.',
      'signIn.name': 'Your name',
      'signIn.button': 'Sign in',
      'signIn.ended': 'Your session ended. Please sign in again.',
      'signIn.failed': 'Signing in did not work. Please try again.',
      'queue.title': 'Queue',
      'queue.refresh': 'Refresh',
      'queue.filters': 'Show',
      'queue.status': 'Status',
      'queue.page': 'Page',
      'queue.platform': 'Platform',
      'queue.label': 'Kind',
      'queue.overdueOnly': 'Overdue only',
      'queue.mine': 'Claimed by me',
      'queue.empty': 'Nothing here. New comments and reviews appear by themselves.',
      'queue.more': 'Show more',
      'queue.count': (n) => (n === 1 ? '1 task' : `${n} tasks`),
      'queue.updated': 'Queue updated.',
      'queue.new': (n) => (n === 1 ? '1 new task.' : `${n} new tasks.`),
      all: 'All',
      'status.active': 'To do (open or claimed)',
      'status.open': 'Open',
      'status.claimed': 'Claimed',
      'status.resolved': 'Resolved',
      'status.update_requested': 'Asked to update',
      'status.closed': 'Closed',
      'status.dropped': 'Dropped',
      'status.all': 'All',
      'label.negative': 'Complaint',
      'label.question': 'Question',
      'label.neutral': 'Neutral',
      'label.positive': 'Praise',
      'label.spam': 'Spam',
      'label.abusive': 'Abusive',
      'kind.comment': 'comment',
      'kind.reply': 'reply',
      'kind.mention': 'mention',
      'kind.review': 'review',
      overdue: 'Overdue',
      due: (when) => `Due ${when}`,
      overdueSince: (when) => `Overdue: was due ${when}`,
      claimedBy: (who) => `Claimed by ${who}`,
      stars: (n) => `${n} of 5 stars`,
      unknownAuthor: 'Someone',
      noText: '(no text)',
      'task.back': '← Back to the queue',
      'task.wrote': 'What they wrote',
      'task.was': (stars, when) => `was ${stars} until ${when}`,
      'task.earlier': 'Earlier versions',
      'task.open': 'Open it on the platform',
      'task.received': (when) => `Received ${when}`,
      'task.removed': 'The author removed it.',
      'task.edited': 'Edited by the author.',
      'task.task': 'Task',
      'task.status': 'Status',
      'task.due': 'Due',
      'task.assignee': 'Claimed by',
      'task.nextStep': 'Next step',
      'task.flags': 'Needs attention',
      'task.resolution': 'Resolution',
      'task.dropReason': 'Dropped because',
      'task.theme': 'Theme',
      'task.language': 'Language',
      'task.mode': 'Reply mode',
      'task.actions': 'Actions',
      'task.replies': 'Our replies',
      'task.public': 'Public reply',
      'task.private': 'Private message',
      'task.noReplies': 'No reply was drafted for this item.',
      'task.draftHint': 'Approval mode: nothing is posted until you approve. You may edit the text first.',
      'task.editedBy': (who) => `Edited by ${who} before sending:`,
      'task.approvedBy': (who) => `Approved by ${who}`,
      'task.failure': (why) => `Not sent: ${why}`,
      'task.updateRequest': 'Ask for an updated review',
      'task.byHand': 'The platform allows no message: send this to the customer yourself.',
      'task.bySystem': 'Sent to the customer privately by the system, some time after the task is resolved.',
      'task.requested': 'The customer was asked.',
      'task.copy': 'Copy text',
      'task.copied': 'Copied.',
      'task.history': 'History',
      'history.open': 'opened',
      'history.claim': 'claimed',
      'history.resolve': 'resolved',
      'history.drop': 'dropped',
      'history.reopen': 'reopened',
      'history.close': 'closed',
      'history.escalate': 'past its due time',
      'history.request_update': 'asked for an updated review',
      'task.followups': 'Sent afterwards',
      'task.pageSettings': 'Settings of this page',
      'action.claim': 'Claim',
      'action.approve': 'Approve and send',
      'action.resolve': 'Resolve…',
      'action.resolveSubmit': 'Resolve',
      'action.note': 'What was done (kept in the history)',
      'action.drop': 'Drop…',
      'action.dropSubmit': 'Drop',
      'action.reason': 'Why it is dropped',
      'action.reopen': 'Reopen…',
      'action.reopenSubmit': 'Reopen',
      'action.close': 'Close…',
      'action.closeSubmit': 'Close',
      'action.optionalNote': 'Note (optional)',
      'done.claim': 'Claimed. It is yours.',
      'done.approve': 'Approved. The replies are on their way.',
      'done.resolve': 'Resolved.',
      'done.drop': 'Dropped.',
      'done.reopen': 'Reopened.',
      'done.close': 'Closed.',
      'state.draft': 'Draft: waiting for approval',
      'state.pending': 'Approved: about to be sent',
      'state.sending': 'Sending',
      'state.uncertain': 'Sending (checking it arrived)',
      'state.sent': 'Sent',
      'state.failed': 'Failed',
      'state.dry_run': 'Dry run: not sent',
      'flag.escalated': 'past its due time',
      'flag.ask_for_update': 'ask the customer to update their review (by hand)',
      'flag.reconnect_page': 'the page must be reconnected',
      'flag.reply_failed': 'a reply could not be sent',
      'flag.message_mismatch': 'a stored message was not our draft: check it',
      'flag.set_contact_line': 'the page needs a contact line',
      'flag.review_updated': 'the customer changed their review',
      'flag.token_missing': 'the page has no access token yet',
      'flag.fix_setup': 'the page’s access token cannot be read',
      'flag.needs_review': 'held for a person: not answered until approved',
      'flag.reply_exists': 'the platform already holds a reply to this item: check it',
      'flag.update_request_failed': 'the update request could not be sent',
      'task.flagReason': 'Why (confidence)',
      'task.confidence': 'Confidence',
      'reports.title': 'Reports',
      'reports.period': 'Period',
      'reports.days': 'Last',
      'reports.daysOption': (n) => `${n} days`,
      'reports.themes': 'What complaints are about',
      'reports.theme': 'Theme',
      'reports.now': 'This period',
      'reports.before': 'Period before',
      'reports.complaints': (n, m) => `${n} complaints (period before: ${m})`,
      'reports.response': 'How fast we answer',
      'reports.tasks': 'Tasks opened',
      'reports.replied': 'Publicly answered',
      'reports.median': 'First reply, median',
      'reports.p90': 'First reply, 9 in 10 within',
      'reports.withinSla': 'Resolved by their due time',
      'reports.share': (w, d) => `${w} of ${d}`,
      'theme.delivery': 'Delivery',
      'theme.billing': 'Billing and refunds',
      'theme.quality': 'Product quality',
      'theme.service': 'Service and staff',
      'theme.website': 'Website or app',
      'theme.price': 'Price',
      'theme.other': 'Other',
      'theme.abuse': 'Abuse',
      'crisis.title': (page) => `Crisis hold on ${page}`,
      'crisis.alertOnly': (page) => `Spike of complaints on ${page} (alert only)`,
      'crisis.since': 'Began',
      'crisis.why': (n, theme, usual) => `${n} complaints about ${theme} in one hour (usually ${usual})`,
      'crisis.themes': 'Complaints in the hour before, by theme:',
      'crisis.held': 'Nothing is posted on this page without approval: new drafts wait in the queue.',
      'crisis.notHeld': 'Replies on this page go on as set.',
      'crisis.end': 'End crisis hold',
      'crisis.ownersOnly': 'An owner can end it.',
      'crisis.ended': (page) => `Crisis hold on ${page} ended. Drafts held meanwhile still wait for approval.`,
      'crisis.alreadyEnded': (page) => `${page} is no longer in a crisis.`,
      'reports.spikes': 'Spikes of complaints',
      'reports.noSpikes': 'No spikes in this period.',
      'reports.spike': (page, theme, n, start, end) => `${page}: ${n} about ${theme}, ${start} – ${end}`,
      'reports.ongoing': 'ongoing',
      'pages.title': 'Pages',
      'pages.intro': 'How each page wants its feedback answered. Empty fields use the defaults shown.',
      'pages.none': 'No page has settings of its own yet. Open a task and follow “Settings of this page”.',
      'pages.save': 'Save',
      'pages.saved': 'Saved.',
      'pages.ownersOnly': 'Only owners change page settings.',
      'pages.reconnect': (why) => `This page must be reconnected: ${why}`,
      'pages.default': (v) => `Default: ${v}`,
      'setting.mode': 'Reply mode',
      'setting.sla_hours': 'Hours to answer (SLA)',
      'setting.brand_name': 'Brand name in replies',
      'setting.signature': 'Signature',
      'setting.contact': 'Contact line (phone, e-mail or link)',
      'setting.default_language': 'Language when unclear',
      'setting.thank_positive': 'Thank people for praise',
      'setting.resolved_reply': 'Post a short public note once resolved',
      'setting.max_age_hours': 'Do not answer items older than (hours)',
      'setting.update_request_delay_hours': 'Hours after resolving before asking for an updated review',
      'mode.auto': 'Automatic: answer at once',
      'mode.approval': 'Approval: staff approve every reply',
      'mode.dry-run': 'Dry run: draft only, post nothing',
      'error.generic': 'Something went wrong. Please try again.',
      'error.conflict': 'Someone else changed this first. It has been reloaded.',
      'error.network': 'The inbox cannot be reached. Check the connection and try again.',
      yes: 'yes',
      no: 'no',
    },
    nl: {
      skip: 'Naar de inhoud',
      title: 'Inbox',
      'nav.queue': 'Wachtrij',
      'nav.reports': 'Rapporten',
      'nav.pages': 'Pagina’s',
      signOut: 'Afmelden',
      'role.viewer': 'Meelezer',
      'role.staff': 'Medewerker',
      'role.owner': 'Eigenaar',
      'role.none': 'Nog geen toegang',
      'role.noGroup': 'Je bent aangemeld, maar nog in geen enkele groep van de inbox. Vraag een eigenaar je toe te voegen aan viewers, staff of owners.',
      'signIn.title': 'Aanmelden',
      'signIn.intro': 'Meld je aan om klachten en reviews te beantwoorden.',
      'signIn.local': 'Dit is de lokale runner: elke naam werkt, en alleen op deze computer.',
      'signIn.name': 'Je naam',
      'signIn.button': 'Aanmelden',
      'signIn.ended': 'Je sessie is verlopen. Meld je opnieuw aan.',
      'signIn.failed': 'Aanmelden is niet gelukt. Probeer het opnieuw.',
      'queue.title': 'Wachtrij',
      'queue.refresh': 'Vernieuwen',
      'queue.filters': 'Toon',
      'queue.status': 'Status',
      'queue.page': 'Pagina',
      'queue.platform': 'Platform',
      'queue.label': 'Soort',
      'queue.overdueOnly': 'Alleen te laat',
      'queue.mine': 'Door mij opgepakt',
      'queue.empty': 'Niets te doen. Nieuwe reacties en reviews verschijnen vanzelf.',
      'queue.more': 'Meer tonen',
      'queue.count': (n) => (n === 1 ? '1 taak' : `${n} taken`),
      'queue.updated': 'Wachtrij bijgewerkt.',
      'queue.new': (n) => (n === 1 ? '1 nieuwe taak.' : `${n} nieuwe taken.`),
      all: 'Alle',
      'status.active': 'Te doen (open of opgepakt)',
      'status.open': 'Open',
      'status.claimed': 'Opgepakt',
      'status.resolved': 'Opgelost',
      'status.update_requested': 'Gevraagd om bij te werken',
      'status.closed': 'Gesloten',
      'status.dropped': 'Vervallen',
      'status.all': 'Alle',
      'label.negative': 'Klacht',
      'label.question': 'Vraag',
      'label.neutral': 'Neutraal',
      'label.positive': 'Compliment',
      'label.spam': 'Spam',
      'label.abusive': 'Beledigend',
      'kind.comment': 'reactie',
      'kind.reply': 'antwoord',
      'kind.mention': 'vermelding',
      'kind.review': 'review',
      overdue: 'Te laat',
      due: (when) => `Uiterlijk ${when}`,
      overdueSince: (when) => `Te laat: moest ${when} af`,
      claimedBy: (who) => `Opgepakt door ${who}`,
      stars: (n) => `${n} van de 5 sterren`,
      unknownAuthor: 'Iemand',
      noText: '(geen tekst)',
      'task.back': '← Terug naar de wachtrij',
      'task.wrote': 'Wat de klant schreef',
      'task.was': (stars, when) => `was ${stars} tot ${when}`,
      'task.earlier': 'Eerdere versies',
      'task.open': 'Bekijk het op het platform',
      'task.received': (when) => `Ontvangen ${when}`,
      'task.removed': 'De schrijver heeft het verwijderd.',
      'task.edited': 'Aangepast door de schrijver.',
      'task.task': 'Taak',
      'task.status': 'Status',
      'task.due': 'Uiterlijk',
      'task.assignee': 'Opgepakt door',
      'task.nextStep': 'Volgende stap',
      'task.flags': 'Aandacht nodig',
      'task.resolution': 'Oplossing',
      'task.dropReason': 'Vervallen omdat',
      'task.theme': 'Onderwerp',
      'task.language': 'Taal',
      'task.mode': 'Antwoordmodus',
      'task.actions': 'Acties',
      'task.replies': 'Onze antwoorden',
      'task.public': 'Openbaar antwoord',
      'task.private': 'Privébericht',
      'task.noReplies': 'Voor dit bericht is geen antwoord opgesteld.',
      'task.draftHint': 'Goedkeuringsmodus: er wordt niets geplaatst tot je goedkeurt. Je kunt de tekst eerst aanpassen.',
      'task.editedBy': (who) => `Aangepast door ${who} voor verzending:`,
      'task.approvedBy': (who) => `Goedgekeurd door ${who}`,
      'task.failure': (why) => `Niet verzonden: ${why}`,
      'task.updateRequest': 'Vraag om een bijgewerkte review',
      'task.byHand': 'Het platform staat geen bericht toe: stuur dit zelf naar de klant.',
      'task.bySystem': 'Het systeem stuurt dit de klant privé, enige tijd nadat de taak is opgelost.',
      'task.requested': 'De klant is het gevraagd.',
      'task.copy': 'Tekst kopiëren',
      'task.copied': 'Gekopieerd.',
      'task.history': 'Geschiedenis',
      'history.open': 'geopend',
      'history.claim': 'opgepakt',
      'history.resolve': 'opgelost',
      'history.drop': 'laten vervallen',
      'history.reopen': 'heropend',
      'history.close': 'gesloten',
      'history.escalate': 'over de termijn',
      'history.request_update': 'om een bijgewerkte review gevraagd',
      'task.followups': 'Later verzonden',
      'task.pageSettings': 'Instellingen van deze pagina',
      'action.claim': 'Oppakken',
      'action.approve': 'Goedkeuren en versturen',
      'action.resolve': 'Oplossen…',
      'action.resolveSubmit': 'Oplossen',
      'action.note': 'Wat er is gedaan (komt in de geschiedenis)',
      'action.drop': 'Laten vervallen…',
      'action.dropSubmit': 'Laten vervallen',
      'action.reason': 'Waarom het vervalt',
      'action.reopen': 'Heropenen…',
      'action.reopenSubmit': 'Heropenen',
      'action.close': 'Sluiten…',
      'action.closeSubmit': 'Sluiten',
      'action.optionalNote': 'Notitie (mag leeg)',
      'done.claim': 'Opgepakt. Hij is van jou.',
      'done.approve': 'Goedgekeurd. De antwoorden worden verstuurd.',
      'done.resolve': 'Opgelost.',
      'done.drop': 'Vervallen.',
      'done.reopen': 'Heropend.',
      'done.close': 'Gesloten.',
      'state.draft': 'Concept: wacht op goedkeuring',
      'state.pending': 'Goedgekeurd: wordt zo verstuurd',
      'state.sending': 'Wordt verstuurd',
      'state.uncertain': 'Wordt verstuurd (controle of het aankwam)',
      'state.sent': 'Verstuurd',
      'state.failed': 'Mislukt',
      'state.dry_run': 'Proefdraai: niet verstuurd',
      'flag.escalated': 'over de termijn',
      'flag.ask_for_update': 'vraag de klant de review bij te werken (zelf versturen)',
      'flag.reconnect_page': 'de pagina moet opnieuw worden gekoppeld',
      'flag.reply_failed': 'een antwoord kon niet worden verstuurd',
      'flag.message_mismatch': 'een opgeslagen bericht was niet ons concept: controleer het',
      'flag.set_contact_line': 'de pagina heeft een contactregel nodig',
      'flag.review_updated': 'de klant heeft de review aangepast',
      'flag.token_missing': 'de pagina heeft nog geen toegangssleutel',
      'flag.fix_setup': 'de toegangssleutel van de pagina is niet leesbaar',
      'flag.needs_review': 'wacht op een mens: pas beantwoord na goedkeuring',
      'flag.reply_exists': 'er staat al een antwoord bij op het platform: controleer het',
      'flag.update_request_failed': 'het verzoek om de review bij te werken kon niet worden verstuurd',
      'task.flagReason': 'Waarom (zekerheid)',
      'task.confidence': 'Zekerheid',
      'reports.title': 'Rapporten',
      'reports.period': 'Periode',
      'reports.days': 'Afgelopen',
      'reports.daysOption': (n) => `${n} dagen`,
      'reports.themes': 'Waar klachten over gaan',
      'reports.theme': 'Onderwerp',
      'reports.now': 'Deze periode',
      'reports.before': 'Periode ervoor',
      'reports.complaints': (n, m) => `${n} klachten (periode ervoor: ${m})`,
      'reports.response': 'Hoe snel we antwoorden',
      'reports.tasks': 'Taken geopend',
      'reports.replied': 'Openbaar beantwoord',
      'reports.median': 'Eerste antwoord, mediaan',
      'reports.p90': 'Eerste antwoord, 9 op 10 binnen',
      'reports.withinSla': 'Op tijd opgelost',
      'reports.share': (w, d) => `${w} van ${d}`,
      'theme.delivery': 'Bezorging',
      'theme.billing': 'Betaling en terugbetaling',
      'theme.quality': 'Kwaliteit',
      'theme.service': 'Service en personeel',
      'theme.website': 'Website of app',
      'theme.price': 'Prijs',
      'theme.other': 'Overig',
      'theme.abuse': 'Scheldwoorden',
      'crisis.title': (page) => `Crisisstop op ${page}`,
      'crisis.alertOnly': (page) => `Piek in klachten op ${page} (alleen melding)`,
      'crisis.since': 'Begonnen',
      'crisis.why': (n, theme, usual) => `${n} klachten over ${theme} in één uur (normaal ${usual})`,
      'crisis.themes': 'Klachten in het uur ervoor, per onderwerp:',
      'crisis.held': 'Op deze pagina wordt niets geplaatst zonder goedkeuring: nieuwe concepten wachten in de wachtrij.',
      'crisis.notHeld': 'Antwoorden op deze pagina gaan door zoals ingesteld.',
      'crisis.end': 'Crisisstop beëindigen',
      'crisis.ownersOnly': 'Een eigenaar kan hem beëindigen.',
      'crisis.ended': (page) => `Crisisstop op ${page} beëindigd. Concepten van tijdens de stop wachten nog op goedkeuring.`,
      'crisis.alreadyEnded': (page) => `${page} is niet meer in crisis.`,
      'reports.spikes': 'Pieken in klachten',
      'reports.noSpikes': 'Geen pieken in deze periode.',
      'reports.spike': (page, theme, n, start, end) => `${page}: ${n} over ${theme}, ${start} – ${end}`,
      'reports.ongoing': 'loopt nog',
      'pages.title': 'Pagina’s',
      'pages.intro': 'Hoe elke pagina haar reacties beantwoord wil hebben. Lege velden gebruiken de getoonde standaard.',
      'pages.none': 'Nog geen pagina heeft eigen instellingen. Open een taak en kies “Instellingen van deze pagina”.',
      'pages.save': 'Opslaan',
      'pages.saved': 'Opgeslagen.',
      'pages.ownersOnly': 'Alleen eigenaren wijzigen de instellingen van een pagina.',
      'pages.reconnect': (why) => `Deze pagina moet opnieuw worden gekoppeld: ${why}`,
      'pages.default': (v) => `Standaard: ${v}`,
      'setting.mode': 'Antwoordmodus',
      'setting.sla_hours': 'Uren om te antwoorden (termijn)',
      'setting.brand_name': 'Merknaam in antwoorden',
      'setting.signature': 'Ondertekening',
      'setting.contact': 'Contactregel (telefoon, e-mail of link)',
      'setting.default_language': 'Taal als die onduidelijk is',
      'setting.thank_positive': 'Bedank mensen voor complimenten',
      'setting.resolved_reply': 'Plaats een korte openbare notitie na oplossen',
      'setting.max_age_hours': 'Beantwoord niets ouder dan (uren)',
      'setting.update_request_delay_hours': 'Uren na oplossen voor we om een bijgewerkte review vragen',
      'mode.auto': 'Automatisch: meteen antwoorden',
      'mode.approval': 'Goedkeuring: elk antwoord wordt goedgekeurd',
      'mode.dry-run': 'Proefdraai: alleen concepten, niets plaatsen',
      'error.generic': 'Er ging iets mis. Probeer het opnieuw.',
      'error.conflict': 'Iemand anders was je voor. De gegevens zijn opnieuw geladen.',
      'error.network': 'De inbox is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.',
      yes: 'ja',
      no: 'nee',
    },
  };

  const preferred = (navigator.languages && navigator.languages.length
    ? navigator.languages
    : [navigator.language || 'en']);
  const LANG = (preferred
    .map((l) => String(l).toLowerCase().slice(0, 2))
    .find((l) => Object.prototype.hasOwnProperty.call(WORDS, l))) || 'en';

  function t(key, ...args) {
    const word = WORDS[LANG][key] ?? WORDS.en[key];
    if (typeof word === 'function') return word(...args);
    return word ?? key;
  }

  // ---------------------------------------------------------------- small helpers
  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else if (name === 'value') node.value = value;
      else if (name === 'checked') node.checked = Boolean(value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const dateFormat = new Intl.DateTimeFormat(LANG, { dateStyle: 'medium', timeStyle: 'short' });
  const relativeFormat = new Intl.RelativeTimeFormat(LANG, { numeric: 'auto' });

  function absolute(iso) {
    return iso ? dateFormat.format(new Date(iso)) : '';
  }

  function relative(iso) {
    const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
    const abs = Math.abs(seconds);
    const [value, unit] = abs < 3600 ? [seconds / 60, 'minute']
      : abs < 86400 * 2 ? [seconds / 3600, 'hour']
        : [seconds / 86400, 'day'];
    return relativeFormat.format(Math.round(value), unit);
  }

  /** A time element: "in 3 hours", with the date and time as its title and datetime. */
  function when(iso) {
    return el('time', { datetime: iso, title: absolute(iso) }, relative(iso));
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const minutes = Math.round(seconds / 60);
    if (minutes < 1) return `${Math.max(0, Math.round(seconds))} s`;
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
    return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  function stars(n) {
    return el('span', { class: 'stars', role: 'img', 'aria-label': t('stars', n) },
      '★'.repeat(n) + '☆'.repeat(Math.max(0, 5 - n)));
  }

  function announce(message) {
    const status = $('status');
    status.textContent = '';
    // A fresh text node, so screen readers announce a repeated message too.
    window.setTimeout(() => { status.textContent = message; }, 30);
  }

  function showAlert(message, problems) {
    const box = $('alert');
    box.replaceChildren(el('p', {}, message));
    if (problems && problems.length) {
      box.append(el('ul', {}, problems.map((p) => el('li', {}, p))));
    }
    box.hidden = false;
  }

  function clearAlert() {
    $('alert').hidden = true;
    $('alert').replaceChildren();
  }

  // ---------------------------------------------------------------- sign-in
  const TOKEN_KEY = 'inbox.token';
  const PKCE_KEY = 'inbox.pkce';
  let config = null;
  /** Who is signed in and what their role lets them do (GET /api/me). */
  let me = null;

  /** How the history names someone: `address (subject)`; the page shows the address. */
  function person(by) {
    const match = /^(.*) \(([^()]+)\)$/.exec(by || '');
    return match ? el('span', { title: by }, match[1]) : el('span', {}, by || '');
  }

  function redirectUri() {
    return `${window.location.origin}/inbox`;
  }

  function token() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(TOKEN_KEY) || 'null');
      if (saved && saved.value && saved.expires > Date.now() + 30000) return saved;
    } catch (_) { /* a damaged entry is no token */ }
    return null;
  }

  function keepToken(value, expiresIn, name) {
    window.sessionStorage.setItem(TOKEN_KEY, JSON.stringify({
      value, name, expires: Date.now() + (Number(expiresIn) || 3600) * 1000,
    }));
  }

  function b64url(bytes) {
    let text = '';
    bytes.forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  async function startCognito() {
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    window.sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, back: window.location.hash }));
    const url = new URL(`${config.domain}/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: config.client_id,
      redirect_uri: redirectUri(),
      scope: config.scopes,
      state,
      code_challenge: b64url(new Uint8Array(digest)),
      code_challenge_method: 'S256',
    }).toString();
    window.location.assign(url.toString());
  }

  /** Back from the Hosted UI with `?code=…&state=…`: exchange the code for tokens. */
  async function finishCognito() {
    const query = new URLSearchParams(window.location.search);
    if (!query.has('code') && !query.has('error')) return;
    let saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(PKCE_KEY) || 'null'); } catch (_) { saved = null; }
    window.sessionStorage.removeItem(PKCE_KEY);
    window.history.replaceState(null, '', redirectUri() + ((saved && saved.back) || ''));
    if (query.has('error') || !saved || query.get('state') !== saved.state) {
      showAlert(t('signIn.failed'));
      return;
    }
    const response = await fetch(`${config.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.client_id,
        code: query.get('code'),
        redirect_uri: redirectUri(),
        code_verifier: saved.verifier,
      }).toString(),
    });
    if (!response.ok) {
      showAlert(t('signIn.failed'));
      return;
    }
    const tokens = await response.json();
    keepToken(tokens.id_token, tokens.expires_in);
  }

  async function localSignIn(event) {
    event.preventDefault();
    clearAlert();
    const name = $('local-name').value.trim();
    try {
      const response = await fetch('/api/local-sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        showAlert(body.error || t('signIn.failed'), body.problems);
        return;
      }
      keepToken(body.token, body.expires_in, body.name);
      await start();
    } catch (_) {
      showAlert(t('error.network'));
    }
  }

  function signOut() {
    window.sessionStorage.removeItem(TOKEN_KEY);
    if (config && config.sign_in === 'cognito') {
      const url = new URL(`${config.domain}/logout`);
      url.search = new URLSearchParams({ client_id: config.client_id, logout_uri: redirectUri() }).toString();
      window.location.assign(url.toString());
      return;
    }
    $('crises').hidden = true;
    showSignIn();
  }

  function showSignIn(message) {
    stopPolling();
    $('nav').hidden = true;
    $('who').hidden = true;
    const local = config && config.sign_in === 'local';
    $('local-sign-in').hidden = !local;
    $('cognito-sign-in').hidden = local;
    showView('sign-in');
    if (message) showAlert(message);
  }

  // ---------------------------------------------------------------- the API
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || t('error.generic'));
      this.status = status;
      this.problems = (body && body.problems) || [];
    }
  }

  async function api(method, path, body) {
    const saved = token();
    if (!saved) {
      showSignIn(t('signIn.ended'));
      throw new ApiError(401, { error: t('signIn.ended') });
    }
    const headers = { Authorization: `Bearer ${saved.value}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(`/api/${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ApiError(0, { error: t('error.network') });
    }
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401) {
      window.sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(t('signIn.ended'));
    }
    if (!response.ok) throw new ApiError(response.status, answer);
    return answer;
  }

  function failed(error) {
    if (error.status === 401) return;
    showAlert(error.message, error.problems);
  }

  // ---------------------------------------------------------------- views
  const VIEWS = ['sign-in', 'queue', 'task', 'reports', 'pages'];

  function showView(name) {
    for (const view of VIEWS) $(`view-${view}`).hidden = view !== name;
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === name || (name === 'task' && link.dataset.nav === 'queue')) {
        link.setAttribute('aria-current', 'page');
      } else {
        link.removeAttribute('aria-current');
      }
    }
    const heading = document.querySelector(`#view-${name} h1`);
    if (heading) heading.focus({ preventScroll: false });
  }

  // ---------------------------------------------------------------- the queue
  const STATUSES = ['active', 'open', 'claimed', 'resolved', 'update_requested', 'closed', 'dropped', 'all'];
  // The queue's filter menus, in the order shown: each is the select `f-<name>`, labelled
  // `queue.<name>`, and sets the query parameter `<name>`.
  const QUEUE_FILTERS = ['status', 'page', 'platform', 'label'];
  let cursor = null;
  let knownIds = new Set();
  let pollTimer = null;

  function fillSelect(select, options, current) {
    const keep = current ?? select.value;
    select.replaceChildren(...options.map(([value, label]) => el('option', { value }, label)));
    select.value = options.some(([value]) => value === keep) ? keep : options[0][0];
  }

  // The filter menus, after the fieldset's legend (before the check boxes).
  function addQueueFilters() {
    const fields = QUEUE_FILTERS.map((name) => el('div', { class: 'field' },
      el('label', { for: `f-${name}`, 'data-i18n': `queue.${name}` }),
      el('select', { id: `f-${name}`, name })));
    $('filters').querySelector('legend').after(...fields);
  }

  function queueQuery() {
    const q = new URLSearchParams();
    for (const name of QUEUE_FILTERS) {
      const value = $(`f-${name}`).value;
      if (value) q.set(name, value);
    }
    if ($('f-overdue').checked) q.set('overdue', 'true');
    if ($('f-mine').checked) q.set('mine', 'true');
    return q;
  }

  function dueLine(task) {
    if (task.overdue) {
      return el('span', { class: 'due overdue' },
        el('span', { class: 'badge overdue-badge' }, `⚠ ${t('overdue')}`), ' ',
        t('overdueSince', ''), when(task.due_at));
    }
    return el('span', { class: 'due' }, t('due', ''), when(task.due_at));
  }

  function taskLink(task) {
    return `#/tasks/${encodeURIComponent(task.id)}`;
  }

  function taskItem(task) {
    const who = task.author_name || t('unknownAuthor');
    const label = task.label ? t(`label.${task.label}`) : '';
    return el('li', { class: task.overdue ? 'task overdue-task' : 'task', 'data-id': task.id },
      el('a', { href: taskLink(task), class: 'task-link' },
        el('span', { class: 'task-head' },
          el('span', { class: 'author' }, who),
          task.rating ? stars(task.rating) : null,
          el('span', { class: 'where' }, `${task.platform}${task.kind ? ` · ${t(`kind.${task.kind}`)}` : ''}`)),
        el('span', { class: 'excerpt' }, task.excerpt || t('noText'))),
      el('span', { class: 'task-meta' },
        dueLine(task),
        el('span', { class: `badge status-${task.status}` }, t(`status.${task.status}`)),
        label ? el('span', { class: `badge label-${task.label}` }, label) : null,
        task.assignee ? el('span', { class: 'assignee' }, t('claimedBy', person(task.assignee).textContent)) : null));
  }

  // ---------------------------------------------------------------- crisis hold
  /** One banner per page in a crisis: since when, why, and (owners) the way to end it. */
  function crisisBanner(crisis) {
    const themes = crisis.top_themes.map((c) => `${t(`theme.${c.theme}`)} ${c.count}`).join(', ');
    const heading = crisis.hold ? t('crisis.title', crisis.page) : t('crisis.alertOnly', crisis.page);
    const end = crisis.may_end
      ? el('button', { type: 'button', class: 'danger', onclick: () => endCrisis(crisis.page) }, t('crisis.end'))
      : el('p', { class: 'hint' }, t('crisis.ownersOnly'));
    return el('section', { class: 'crisis', 'data-page': crisis.page, 'aria-label': heading },
      el('h2', {}, heading),
      el('p', {}, t('crisis.since'), ' ', when(crisis.since), ': ',
        t('crisis.why', crisis.count, t(`theme.${crisis.theme}`).toLowerCase(), crisis.usual), '.'),
      themes ? el('p', {}, t('crisis.themes'), ' ', themes) : null,
      el('p', {}, crisis.hold ? t('crisis.held') : t('crisis.notHeld')),
      end);
  }

  function showCrises(crises) {
    const box = $('crises');
    box.replaceChildren(...(crises || []).map(crisisBanner));
    box.hidden = !box.children.length;
  }

  async function endCrisis(page) {
    clearAlert();
    try {
      const answer = await api('POST', `pages/${encodeURIComponent(page)}/end-crisis`, {});
      announce(answer.ended ? t('crisis.ended', page) : t('crisis.alreadyEnded', page));
    } catch (error) {
      failed(error);
    }
    await loadQueue({ quiet: true });
  }

  async function loadQueue({ more = false, quiet = false } = {}) {
    const q = queueQuery();
    if (more && cursor) q.set('cursor', cursor);
    let answer;
    try {
      answer = await api('GET', `tasks?${q.toString()}`);
    } catch (error) {
      if (!quiet) failed(error);
      return;
    }
    const focusedId = document.activeElement && document.activeElement.closest
      && document.activeElement.closest('.task') ? document.activeElement.closest('.task').dataset.id : null;
    showCrises(answer.crises);
    fillSelect($('f-page'), [['', t('all')], ...answer.facets.pages.map((p) => [p, p])]);
    fillSelect($('f-platform'), [['', t('all')], ...answer.facets.platforms.map((p) => [p, p])]);
    fillSelect($('f-label'), [['', t('all')], ...answer.facets.labels.map((l) => [l, t(`label.${l}`)])]);
    const list = $('tasks');
    const items = answer.tasks.map(taskItem);
    if (more) list.append(...items); else list.replaceChildren(...items);
    cursor = answer.next_cursor;
    $('more').hidden = !cursor;
    $('queue-empty').hidden = answer.total > 0;
    $('queue-count').textContent = t('queue.count', answer.total);
    const fresh = answer.tasks.filter((task) => !knownIds.has(task.id)).length;
    if (!more) {
      if (quiet && knownIds.size && fresh) announce(t('queue.new', fresh));
      knownIds = new Set(answer.tasks.map((task) => task.id));
    }
    if (focusedId) {
      const again = list.querySelector(`[data-id="${CSS.escape(focusedId)}"] a`);
      if (again) again.focus();
    }
  }

  function startPolling() {
    stopPolling();
    pollTimer = window.setInterval(() => {
      if (!document.hidden && !$('view-queue').hidden) loadQueue({ quiet: true });
    }, 15000);
  }

  function stopPolling() {
    if (pollTimer) window.clearInterval(pollTimer);
    pollTimer = null;
  }

  // ---------------------------------------------------------------- one task
  function section(title, ...children) {
    const id = `s-${Math.random().toString(36).slice(2)}`;
    return el('section', { class: 'card', 'aria-labelledby': id },
      el('h2', { id }, title), ...children);
  }

  function facts(rows) {
    return el('dl', { class: 'facts' }, rows.filter(Boolean).flatMap(([term, value]) => [
      el('dt', {}, term), el('dd', {}, value),
    ]));
  }

  function feedbackSection(f) {
    if (!f) return null;
    const parts = [];
    if (f.rating) {
      parts.push(el('p', { class: 'rating' }, stars(f.rating),
        f.rating_history.map((r) => el('span', { class: 'was' }, ` (${t('task.was', `${r.rating}★`, absolute(r.replaced_at))})`))));
    }
    parts.push(el('blockquote', { class: 'customer-text', lang: f.language || undefined }, f.text || t('noText')));
    if (f.text_history.length) {
      parts.push(el('details', {}, el('summary', {}, t('task.earlier')),
        f.text_history.map((p) => el('blockquote', { class: 'customer-text old' },
          el('span', { class: 'when' }, absolute(p.replaced_at)), el('br'), p.text))));
    }
    if (f.removed) parts.push(el('p', { class: 'warning' }, t('task.removed')));
    else if (f.edited) parts.push(el('p', { class: 'hint' }, t('task.edited')));
    parts.push(el('p', { class: 'hint' }, t('task.received', absolute(f.received_at))));
    if (f.url) parts.push(el('p', {}, el('a', { href: f.url, rel: 'noopener noreferrer', target: '_blank' }, t('task.open'))));
    return section(t('task.wrote'), ...parts);
  }

  function taskSection(show) {
    const task = show.task;
    const flags = task.flags.length
      ? el('ul', { class: 'flags' }, task.flags.map((f) => el('li', {}, t(`flag.${f}`) === `flag.${f}` ? f : t(`flag.${f}`))))
      : null;
    return section(t('task.task'),
      facts([
        [t('task.status'), el('span', { class: `badge status-${task.status}` }, t(`status.${task.status}`))],
        task.status === 'open' || task.status === 'claimed' ? [t('task.due'), task.overdue ? dueLine(task) : when(task.due_at)] : null,
        task.assignee && task.status === 'claimed' ? [t('task.assignee'), person(task.assignee)] : null,
        [t('task.nextStep'), task.next_step],
        flags ? [t('task.flags'), flags] : null,
        flags && task.flag_reason ? [t('task.flagReason'), task.flag_reason] : null,
        task.resolution ? [t('task.resolution'), task.resolution] : null,
        task.drop_reason ? [t('task.dropReason'), task.drop_reason] : null,
        task.theme ? [t('task.theme'), t(`theme.${task.theme}`)] : null,
        [t('task.language'), task.language],
        show.feedback && show.feedback.confidence ? [t('task.confidence'), show.feedback.confidence] : null,
        [t('task.mode'), t(`mode.${task.mode}`)],
      ]),
      el('p', {}, el('a', { href: `#/pages/${encodeURIComponent(show.feedback ? show.feedback.page : '')}` }, t('task.pageSettings'))));
  }

  function messagesSection(show) {
    const canApprove = show.actions.includes('approve');
    if (!show.messages.length) return section(t('task.replies'), el('p', { class: 'hint' }, t('task.noReplies')));
    const form = el('form', { class: 'replies', id: 'approve-form' });
    if (canApprove) form.append(el('p', { class: 'hint' }, t('task.draftHint')));
    for (const m of show.messages) {
      const title = t(m.channel === 'public' ? 'task.public' : 'task.private');
      const box = el('div', { class: 'reply' },
        el('h3', {}, title, ' ', el('span', { class: `badge state-${m.state}` }, t(`state.${m.state}`))));
      if (m.state === 'draft' && canApprove) {
        const id = `draft-${m.channel}`;
        box.append(
          el('label', { for: id, class: 'visually-hidden' }, title),
          el('textarea', {
            id, name: m.channel, rows: m.channel === 'public' ? 5 : 4, 'data-draft': m.text, value: m.edited_text || m.text,
          }),
        );
      } else {
        box.append(el('p', { class: m.edited_text ? 'sent-text replaced' : 'sent-text' }, m.text));
        if (m.edited_text) {
          box.append(el('p', { class: 'hint' }, t('task.editedBy', person(m.edited_by).textContent)),
            el('p', { class: 'sent-text' }, m.edited_text));
        }
        if (m.approved_by) box.append(el('p', { class: 'hint' }, t('task.approvedBy', person(m.approved_by).textContent)));
        if (m.failure) box.append(el('p', { class: 'warning' }, t('task.failure', m.failure)));
      }
      form.append(box);
    }
    if (canApprove) {
      form.append(el('button', { type: 'submit', class: 'primary' }, t('action.approve')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const edits = {};
        for (const area of form.querySelectorAll('textarea')) {
          if (area.value.trim() !== area.dataset.draft.trim()) edits[area.name] = area.value;
        }
        act(show.task.id, 'approve', edits);
      });
    }
    return section(t('task.replies'), form);
  }

  function noteForm(taskId, action, labelKey, required) {
    const id = `note-${action}`;
    const form = el('form', { class: 'action-form' },
      el('label', { for: id }, t(labelKey)),
      el('textarea', { id, name: 'text', rows: 3, required: required || undefined, maxlength: action === 'drop' ? 500 : 2000 }),
      el('button', { type: 'submit', class: action === 'drop' ? 'danger' : 'primary' }, t(`action.${action}Submit`)));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = form.elements.text.value.trim();
      const field = action === 'drop' ? 'reason' : 'note';
      act(taskId, action, text || required ? { [field]: text } : {});
    });
    return el('details', { class: 'action' }, el('summary', {}, t(`action.${action}`)), form);
  }

  function actionsSection(show) {
    const id = show.task.id;
    const parts = [];
    for (const action of show.actions) {
      if (action === 'claim') {
        parts.push(el('button', { type: 'button', class: 'primary', onclick: () => act(id, 'claim', {}) }, t('action.claim')));
      } else if (action === 'resolve') {
        parts.push(noteForm(id, 'resolve', 'action.note', true));
      } else if (action === 'drop') {
        parts.push(noteForm(id, 'drop', 'action.reason', true));
      } else if (action === 'reopen') {
        parts.push(noteForm(id, 'reopen', 'action.optionalNote', false));
      } else if (action === 'close') {
        parts.push(noteForm(id, 'close', 'action.optionalNote', false));
      }
    }
    if (!parts.length) return null;
    return section(t('task.actions'), el('div', { class: 'actions' }, parts));
  }

  function updateRequestSection(show) {
    const ask = show.update_request;
    if (!ask) return null;
    const area = el('textarea', { id: 'update-request', readonly: true, rows: 4, value: ask.text });
    const copy = el('button', {
      type: 'button',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(ask.text);
        } catch (_) {
          area.select();
          document.execCommand('copy');
        }
        announce(t('task.copied'));
      },
    }, t('task.copy'));
    return section(t('task.updateRequest'),
      el('p', { class: ask.by_hand ? 'warning' : 'hint' }, ask.by_hand ? t('task.byHand') : t('task.bySystem')),
      ask.requested && !ask.by_hand ? el('p', { class: 'hint' }, t('task.requested')) : null,
      el('label', { for: 'update-request', class: 'visually-hidden' }, t('task.updateRequest')),
      area, copy);
  }

  function historySection(show) {
    return section(t('task.history'), el('ol', { class: 'history' },
      show.task.history.map((h) => el('li', {},
        el('time', { datetime: h.at }, absolute(h.at)), ' · ',
        el('strong', {}, person(h.by)), ' · ', t(`history.${h.action}`), h.to ? ` → ${t(`status.${h.to}`)}` : '',
        h.note ? el('span', { class: 'note' }, h.note) : null))));
  }

  function followupsSection(show) {
    if (!show.followups.length) return null;
    return section(t('task.followups'), show.followups.map((f) => el('div', { class: 'reply' },
      el('h3', {}, f.kind, ' ', el('span', { class: `badge state-${f.state}` }, t(`state.${f.state}`))),
      el('p', { class: 'sent-text' }, f.text))));
  }

  function renderTask(show) {
    const f = show.feedback;
    $('task-title').textContent = f ? `${f.author_name || t('unknownAuthor')}` : show.task.id;
    $('task-subtitle').textContent = f
      ? `${f.platform} · ${t(`kind.${f.kind}`)} · ${f.page} · ${show.task.label ? t(`label.${show.task.label}`) : ''}`
      : show.task.id;
    $('task-body').replaceChildren(...[
      feedbackSection(f),
      actionsSection(show),
      messagesSection(show),
      updateRequestSection(show),
      taskSection(show),
      followupsSection(show),
      historySection(show),
    ].filter(Boolean));
  }

  let currentTask = null;

  async function openTask(id) {
    currentTask = id;
    try {
      const show = await api('GET', `tasks/${encodeURIComponent(id)}`);
      renderTask(show);
      showView('task');
    } catch (error) {
      failed(error);
    }
  }

  async function act(id, action, body) {
    clearAlert();
    try {
      const show = await api('POST', `tasks/${encodeURIComponent(id)}/${action}`, body);
      renderTask(show);
      announce(t(`done.${action}`));
      $('task-title').focus();
    } catch (error) {
      failed(error);
      if (error.status === 409) {
        await openTask(id);
        announce(t('error.conflict'));
      }
    }
  }

  // ---------------------------------------------------------------- reports
  async function loadReports() {
    let report;
    try {
      report = await api('GET', `reports?days=${encodeURIComponent($('r-days').value)}`);
    } catch (error) {
      failed(error);
      return;
    }
    const max = Math.max(1, ...report.themes.rows.map((r) => Math.max(r.count, r.previous)));
    const bar = (n, kind) => el('meter', { min: 0, max, value: n, class: kind, 'aria-hidden': 'true' });
    const themes = section(t('reports.themes'),
      el('p', {}, t('reports.complaints', report.themes.complaints, report.themes.previous_complaints)),
      el('table', { class: 'report' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, t('reports.theme')),
          el('th', { scope: 'col' }, t('reports.now')),
          el('th', { scope: 'col' }, t('reports.before')))),
        el('tbody', {}, report.themes.rows.map((r) => el('tr', {},
          el('th', { scope: 'row' }, t(`theme.${r.theme}`)),
          el('td', {}, bar(r.count, 'now'), ` ${r.count}`),
          el('td', {}, bar(r.previous, 'before'), ` ${r.previous}`))))));
    const spikes = (report.themes.spikes || []).map((s) => el('li', {},
      t('reports.spike', s.page, t(`theme.${s.theme}`), s.count, absolute(s.started_at),
        s.ended_at ? absolute(s.ended_at) : t('reports.ongoing'))));
    themes.append(el('h3', {}, t('reports.spikes')),
      spikes.length ? el('ul', { class: 'spikes' }, spikes) : el('p', { class: 'hint' }, t('reports.noSpikes')));
    const r = report.response;
    const response = section(t('reports.response'), facts([
      [t('reports.tasks'), String(r.tasks)],
      [t('reports.replied'), String(r.replied)],
      [t('reports.median'), duration(r.first_reply_median_seconds)],
      [t('reports.p90'), duration(r.first_reply_p90_seconds)],
      [t('reports.withinSla'), r.sla_decided ? t('reports.share', r.within_sla, r.sla_decided) : '–'],
    ]));
    $('report-body').replaceChildren(response, themes);
  }

  // ---------------------------------------------------------------- page settings
  const SETTINGS = [
    ['mode', 'mode'], ['sla_hours', 'number'], ['brand_name', 'text'], ['signature', 'text'],
    ['contact', 'text'], ['default_language', 'language'], ['thank_positive', 'flag'],
    ['resolved_reply', 'flag'], ['max_age_hours', 'number'], ['update_request_delay_hours', 'number'],
  ];

  function settingField(page, name, kind) {
    const id = `${page.id.replace(/[^a-z0-9]/gi, '-')}-${name}`;
    const stored = page.settings[name];
    const effective = page.effective[name];
    const label = el('label', { for: id }, t(`setting.${name}`));
    const hint = effective === null || effective === undefined || effective === ''
      ? null : el('span', { class: 'hint', id: `${id}-hint` }, t('pages.default', kind === 'mode' ? t(`mode.${effective}`) : String(effective)));
    let input;
    if (kind === 'mode' || kind === 'language' || kind === 'flag') {
      const options = kind === 'mode' ? ['auto', 'approval', 'dry-run'].map((m) => [m, t(`mode.${m}`)])
        : kind === 'language' ? ['nl', 'en', 'fr', 'de', 'es'].map((l) => [l, l])
          : [['true', t('yes')], ['false', t('no')]];
      input = el('select', { id, name, 'aria-describedby': hint ? `${id}-hint` : undefined },
        el('option', { value: '' }, '–'), options.map(([v, l]) => el('option', { value: v }, l)));
      input.value = stored === null || stored === undefined ? '' : String(stored);
    } else {
      input = el('input', {
        id, name, type: kind === 'number' ? 'number' : 'text', inputmode: kind === 'number' ? 'numeric' : undefined,
        min: kind === 'number' ? (name === 'update_request_delay_hours' ? 0 : 1) : undefined,
        value: stored === null || stored === undefined ? '' : String(stored),
        'aria-describedby': hint ? `${id}-hint` : undefined,
      });
    }
    input.dataset.kind = kind;
    input.dataset.stored = stored === null || stored === undefined ? '' : String(stored);
    return el('div', { class: 'field' }, label, input, hint);
  }

  function pageCard(page) {
    // Only owners change settings (the API refuses anyone else): the rest read them.
    const mayChange = Boolean(me && me.may && me.may.change_pages);
    const form = el('form', { class: 'page-form' },
      page.needs_reconnect ? el('p', { class: 'warning' }, t('pages.reconnect', page.reconnect_reason || '')) : null,
      mayChange ? null : el('p', { class: 'hint' }, t('pages.ownersOnly')),
      el('fieldset', { class: 'settings', disabled: mayChange ? undefined : true },
        el('legend', { class: 'visually-hidden' }, page.id),
        SETTINGS.map(([name, kind]) => settingField(page, name, kind))),
      mayChange ? el('button', { type: 'submit', class: 'primary' }, t('pages.save')) : null);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearAlert();
      const settings = {};
      for (const input of form.querySelectorAll('input, select')) {
        if (input.value === input.dataset.stored) continue;
        const raw = input.value.trim();
        const kind = input.dataset.kind;
        settings[input.name] = raw === '' && kind !== 'text' ? null
          : kind === 'number' ? Number(raw)
            : kind === 'flag' ? raw === 'true'
              : raw;
      }
      if (!Object.keys(settings).length) return;
      try {
        const saved = await api('PATCH', `pages/${encodeURIComponent(page.id)}`, { read_at: page.updated_at, settings });
        form.replaceWith(pageCard(saved).querySelector('form'));
        announce(t('pages.saved'));
      } catch (error) {
        failed(error);
        if (error.status === 409) loadPages(page.id);
      }
    });
    return section(page.id, form);
  }

  async function loadPages(only) {
    try {
      let pages;
      if (only) {
        pages = [await api('GET', `pages/${encodeURIComponent(only)}`)];
      } else {
        pages = (await api('GET', 'pages')).pages;
      }
      $('pages-body').replaceChildren(...(pages.length ? pages.map(pageCard) : [el('p', { class: 'empty' }, t('pages.none'))]));
    } catch (error) {
      failed(error);
    }
  }

  // ---------------------------------------------------------------- routing
  async function route() {
    if (!token()) {
      showSignIn();
      return;
    }
    clearAlert();
    const hash = window.location.hash.replace(/^#/, '') || '/';
    const [, first, second] = hash.split('/');
    if (first === 'tasks' && second) {
      stopPolling();
      await openTask(decodeURIComponent(second));
    } else if (first === 'reports') {
      stopPolling();
      showView('reports');
      await loadReports();
    } else if (first === 'pages') {
      stopPolling();
      showView('pages');
      await loadPages(second ? decodeURIComponent(second) : null);
    } else {
      showView('queue');
      await loadQueue();
      startPolling();
    }
  }

  async function start() {
    const saved = token();
    if (!saved) {
      showSignIn();
      return;
    }
    try {
      me = await api('GET', 'me');
      $('who-name').textContent = me.name;
      $('who-role').textContent = t(`role.${me.role || 'none'}`);
    } catch (error) {
      failed(error);
      return;
    }
    $('who').hidden = false;
    if (!me.may || !me.may.read) {
      $('nav').hidden = true;
      showView('sign-in');
      $('local-sign-in').hidden = true;
      $('cognito-sign-in').hidden = true;
      showAlert(t('role.noGroup'));
      return;
    }
    // "Claimed by me" means nothing to someone who cannot claim.
    $('f-mine').closest('.field').hidden = !me.may.work_tasks;
    $('nav').hidden = false;
    await route();
  }

  function translatePage() {
    document.documentElement.lang = LANG;
    document.title = t('title');
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    $('nav').setAttribute('aria-label', t('title'));
    fillSelect($('f-status'), STATUSES.map((s) => [s, t(`status.${s}`)]), 'active');
    fillSelect($('r-days'), [7, 30, 90].map((d) => [String(d), t('reports.daysOption', d)]), '7');
  }

  async function main() {
    addQueueFilters();
    translatePage();
    $('local-sign-in').addEventListener('submit', localSignIn);
    $('cognito-button').addEventListener('click', () => { startCognito(); });
    $('sign-out').addEventListener('click', signOut);
    $('refresh').addEventListener('click', async () => { await loadQueue(); announce(t('queue.updated')); });
    $('more').addEventListener('click', () => loadQueue({ more: true }));
    $('filters').addEventListener('change', () => loadQueue());
    $('filters').addEventListener('submit', (event) => { event.preventDefault(); loadQueue(); });
    $('report-filters').addEventListener('change', loadReports);
    window.addEventListener('hashchange', () => {
      $('status').textContent = '';
      if (token()) route();
    });
    try {
      config = await (await fetch('/inbox/config.json')).json();
    } catch (_) {
      showAlert(t('error.network'));
      return;
    }
    if (config.sign_in === 'cognito') {
      try { await finishCognito(); } catch (_) { showAlert(t('signIn.failed')); }
    }
    await start();
  }

  // Reopened tasks refresh their view when it is the one shown.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && currentTask && !$('view-task').hidden) openTask(currentTask);
  });

  main();
})();
