// The text of Canopy's sample crawl: nine fictional websites (domains are invented, under real public suffixes) with
// hand-written sentences that make-sample.ts combines into pages. All text here is original to this project.
//
// Placeholders in titles and sentences: {s} the page's subject, {S} the same with a capital first letter, {person},
// {place}, {year} (a year not after the capture), {n} (a number).

export type Lang = 'en' | 'fr' | 'de' | 'ja'

export interface Section {
  path: string
  label: string
}

export interface SiteDef {
  host: string
  scheme: 'http' | 'https'
  lang: Lang
  name: string
  tagline: string
  /** Documentation-range address (RFC 5737), recorded as WARC-IP-Address. */
  ip: string
  server: string
  /** Capture years, inclusive. */
  years: [number, number]
  /** HTML pages to generate (including the home page). */
  pages: number
  sections: Section[]
  subjects: string[]
  titles: string[]
  sentences: string[]
  people: string[]
  places: string[]
  address: string
  /** Which shared assets the site's pages link to. */
  css: boolean
  js: boolean
  logo: boolean
  /** Hex colours for the inline style block. */
  colors: [string, string]
}

export interface Labels {
  skip: string
  search: string
  published: string
  related: string
  latest: string
  privacy: string
  contact: string
  accessibility: string
  months: string[]
  notFoundTitle: string
  notFoundText: string
  movedTitle: string
  movedText: string
}

export const LABELS: Record<Lang, Labels> = {
  en: {
    skip: 'Skip to main content',
    search: 'Search this site',
    published: 'Published',
    related: 'Related pages',
    latest: 'Latest',
    privacy: 'Privacy',
    contact: 'Contact us',
    accessibility: 'Accessibility',
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    notFoundTitle: 'Page not found',
    notFoundText: 'Sorry, the page you were looking for has moved or no longer exists. Try the search box or start again from the home page.',
    movedTitle: 'Moved permanently',
    movedText: 'This page has moved to a new address.'
  },
  fr: {
    skip: 'Aller au contenu',
    search: 'Rechercher sur le site',
    published: 'Publié le',
    related: 'Voir aussi',
    latest: 'À la une',
    privacy: 'Données personnelles',
    contact: 'Nous contacter',
    accessibility: 'Accessibilité',
    months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
    notFoundTitle: 'Page introuvable',
    notFoundText: "La page demandée n'existe plus ou a été déplacée.",
    movedTitle: 'Page déplacée',
    movedText: 'Cette page a changé d’adresse.'
  },
  de: {
    skip: 'Zum Inhalt springen',
    search: 'Website durchsuchen',
    published: 'Veröffentlicht am',
    related: 'Weitere Seiten',
    latest: 'Aktuelles',
    privacy: 'Datenschutz',
    contact: 'Kontakt',
    accessibility: 'Barrierefreiheit',
    months: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
    notFoundTitle: 'Seite nicht gefunden',
    notFoundText: 'Die angeforderte Seite existiert nicht mehr oder wurde verschoben.',
    movedTitle: 'Dauerhaft verschoben',
    movedText: 'Diese Seite ist unter einer neuen Adresse erreichbar.'
  },
  ja: {
    skip: '本文へ移動',
    search: 'サイト内検索',
    published: '掲載日',
    related: '関連ページ',
    latest: '新着情報',
    privacy: '個人情報の取り扱い',
    contact: 'お問い合わせ',
    accessibility: 'アクセシビリティ',
    months: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    notFoundTitle: 'ページが見つかりません',
    notFoundText: 'お探しのページは移動したか、削除された可能性があります。',
    movedTitle: 'ページは移動しました',
    movedText: 'このページは新しいアドレスに移動しました。'
  }
}

const EN_PEOPLE = [
  'Margaret Okafor',
  'Thomas Lindqvist',
  'Priya Raman',
  'Eleanor Whitcombe',
  'Samuel Achebe',
  'Hannah Morrow',
  'David Kowalczyk',
  'Aisha Rahman',
  'Jonathan Pryce',
  'Fiona MacLeod',
  'Kenji Watanabe',
  'Rosa Delgado',
  'Oliver Tennant',
  'Grace Adeyemi',
  'Martin Holloway',
  'Lucy Fairbairn',
  'Ibrahim Haddad',
  'Nora Castellanos'
]

const EN_PLACES = [
  'Ashcombe',
  'Fernley',
  'Brackenridge',
  'Harrowgate Vale',
  'Kingsmere',
  'Oakhurst',
  'Saltmarsh',
  'Wyndham',
  'Northcliff',
  'Elmbury',
  'Redwater',
  'Thornbury',
  'Calder Ford',
  'Moorside'
]

export const SITES: SiteDef[] = [
  {
    host: 'www.meridian-library.org',
    scheme: 'https',
    lang: 'en',
    name: 'Meridian National Library',
    tagline: 'Collecting the nation’s published heritage, in print and online',
    ip: '192.0.2.10',
    server: 'Apache/2.4.41 (Ubuntu)',
    years: [2008, 2024],
    pages: 27,
    sections: [
      { path: 'collections', label: 'Collections' },
      { path: 'web-archive', label: 'Web Archive' },
      { path: 'research', label: 'Research' },
      { path: 'visit', label: 'Visit us' },
      { path: 'news', label: 'News' }
    ],
    subjects: [
      'legal deposit collection',
      'web archive',
      'newspaper collection',
      'map room',
      'manuscripts collection',
      'sound archive',
      'rare books collection',
      'oral history collection',
      'periodicals collection',
      'photography collection',
      'children’s literature collection',
      'music library',
      'business archive',
      'theatre archive'
    ],
    titles: [
      '{S}',
      'Guide to the {s}',
      'Using the {s} for research',
      '{S}: new acquisitions in {year}',
      'Behind the scenes in the {s}',
      'Highlights of the {s}'
    ],
    sentences: [
      'The library has collected printed works under legal deposit since 1911, and websites since {year}.',
      'Each year our crawlers visit more than {n} thousand websites published in the country.',
      'Researchers can consult archived websites on terminals in the {place} reading room.',
      'Snapshots of a website are captured at regular intervals, so that changes to its pages can be followed over time.',
      'Some material in the {s} is fragile and can only be seen by appointment.',
      'Our curators select sites of lasting cultural value, from parish newsletters to the pages of national campaigns.',
      'The {s} was catalogued in full for the first time by {person} and a team of volunteers.',
      'Readers need a valid reader’s pass, which can be obtained at the registration desk with proof of address.',
      'Items held in off-site storage are delivered to the reading rooms within forty-eight hours.',
      'The web archive now holds more than {n} million captured pages, and it grows with every crawl.',
      'Full-text search lets visitors find archived pages by the words they contain, not only by their address.',
      'Links that have disappeared from the live web can often still be followed in the archive.',
      'We work with publishers to make sure that electronic journals and ebooks are deposited in a form that will last.',
      'Preserving digital files means checking them regularly, migrating obsolete formats and keeping several copies in different places.',
      'A hand-coloured map of {place} drawn in 1787 is one of the most requested items in the {s}.',
      'Talks and small exhibitions about the {s} take place in the main hall throughout the year.',
      'The library is open to everyone over the age of sixteen, free of charge.',
      'Photography for private study is allowed in most reading rooms, as long as the flash is turned off.',
      'Our conservators repair bindings, clean paper and rehouse collections in acid-free boxes.',
      'Questions about the {s} can be sent to the enquiry service, which answers within five working days.',
      'Volunteers transcribed {n} handwritten letters, making them searchable for the first time.',
      'The complete run of the {place} Herald, from 1850 to 1998, is available on microfilm.',
      'Access to some archived websites is limited to library premises, as the deposit regulations require.',
      'Records describing each item are shared with other libraries through an open union catalogue.'
    ],
    people: EN_PEOPLE,
    places: EN_PLACES,
    address: '96 Meridian Square, Kingsmere',
    css: true,
    js: false,
    logo: false,
    colors: ['#1d3557', '#f1faee']
  },
  {
    host: 'www.hollowbrook.ac.uk',
    scheme: 'https',
    lang: 'en',
    name: 'University of Hollowbrook',
    tagline: 'Research and teaching since 1893',
    ip: '198.51.100.24',
    server: 'nginx/1.18.0',
    years: [2009, 2023],
    pages: 26,
    sections: [
      { path: 'research', label: 'Research' },
      { path: 'news', label: 'News' },
      { path: 'departments', label: 'Departments' },
      { path: 'study', label: 'Study' },
      { path: 'events', label: 'Events' }
    ],
    subjects: [
      'marine biology',
      'soil microbiology',
      'glacier monitoring',
      'quantum materials',
      'computational linguistics',
      'public health',
      'bird migration',
      'battery chemistry',
      'radio astronomy',
      'medieval history',
      'urban ecology',
      'protein folding',
      'climate modelling',
      'volcanology'
    ],
    titles: [
      'New research in {s}',
      '{S}: results from {place}',
      'Professor {person} on {s}',
      'Studying {s} at Hollowbrook',
      '{S} seminar series {year}',
      'Funding awarded for {s} project'
    ],
    sentences: [
      'Researchers working on {s} have published new findings in a leading international journal.',
      'The study, led by Professor {person}, followed {n} samples collected over three field seasons.',
      'Fieldwork took the team from the coast near {place} to laboratories in the north of the country.',
      'Early results suggest that the effect is stronger in winter than previously thought.',
      'The project is funded by a five-year grant from the national research council.',
      'Graduate students built a low-cost sensor that records temperature and salinity every ten minutes.',
      'All data from the study will be released under an open licence once the analysis is complete.',
      'A public lecture on {s} will be held in the Great Hall, and admission is free.',
      'The new laboratory building houses electron microscopes, a clean room and a rooftop weather station.',
      'Undergraduates can join the research group for a paid summer placement.',
      'Computer simulations ran on the university’s high-performance cluster for several weeks.',
      'The findings could help farmers, engineers and policy makers plan for a changing climate.',
      'Dr {person} explained that the measurements had to be repeated after a storm damaged the equipment.',
      'Collaborators at institutions in {place} contributed genetic sequencing and statistical analysis.',
      'The team hopes to extend the survey to other regions over the next two years.',
      'A peer-reviewed paper describing the method appeared in {year}.',
      'Applications for the master’s programme in {s} close at the end of January.',
      'Students present their dissertation posters at the annual research showcase in June.',
      'The zoology museum on campus is open to visitors on weekday afternoons.',
      'Scholarships are available for applicants from low-income households.',
      'The seminar series brings speakers from industry and other universities every Thursday.',
      'Samples are stored at minus eighty degrees in the university biobank.',
      'Telescopes on the observatory roof are opened to the public on clear Friday evenings.'
    ],
    people: EN_PEOPLE,
    places: EN_PLACES,
    address: 'University of Hollowbrook, Brook Lane, Hollowbrook HB1 4QZ',
    css: false,
    js: false,
    logo: true,
    colors: ['#5b2a86', '#ffffff']
  },
  {
    host: 'www.elmshire-courier.co.uk',
    scheme: 'http',
    lang: 'en',
    name: 'The Elmshire Courier',
    tagline: 'Local news for Elmshire and the coast',
    ip: '203.0.113.7',
    server: 'Microsoft-IIS/8.5',
    years: [2010, 2024],
    pages: 26,
    sections: [
      { path: 'news', label: 'News' },
      { path: 'sport', label: 'Sport' },
      { path: 'business', label: 'Business' },
      { path: 'community', label: 'Community' },
      { path: 'opinion', label: 'Opinion' }
    ],
    subjects: [
      'the high street',
      'the river footbridge',
      'the county show',
      'the bus timetable',
      'the harbour wall',
      'the village fête',
      'the library reopening',
      'the new primary school',
      'flood defences',
      'the allotments',
      'the cycling club',
      'the market hall',
      'the local elections',
      'the cricket pavilion'
    ],
    titles: [
      'Residents debate {s}',
      'Work begins on {s}',
      'Council delays decision on {s}',
      '{S}: what happens next',
      'Letters: {s}',
      'Volunteers rally round {s}'
    ],
    sentences: [
      'Residents gathered outside the town hall on Saturday to discuss plans for {s}.',
      'The council said a decision would be made at its meeting next month.',
      'Shop owners on {place} Road reported a busy weekend despite the heavy rain.',
      'Police have asked drivers to avoid the area while repairs are carried out.',
      'The event raised more than {n} pounds for the children’s hospice.',
      'Councillor {person} said the proposals had been welcomed by most people who responded to the consultation.',
      'Work on {s} is expected to finish before the end of the summer.',
      'Organisers thanked the volunteers who set up tents, stalls and a stage in the park.',
      'A spokesperson for the water company apologised for the disruption.',
      'The under-fourteens team won the regional final with a goal in the last minute.',
      'Local historians say the building dates back to the reign of Queen Anne.',
      'Letters to the editor this week were dominated by the new parking charges.',
      'The bakery on the corner of Mill Lane celebrated its fiftieth anniversary with free doughnuts.',
      'Commuters faced delays after a signal failure near {place} station.',
      'Planning permission for {n} new homes on the edge of town was granted in {year}.',
      'Readers sent in photographs of the frost on the marshes at dawn.',
      'The ferry service will run a reduced timetable during the winter months.',
      'A petition calling for a pedestrian crossing outside the school has gathered hundreds of signatures.',
      'Firefighters were called to a barn fire in the early hours, and nobody was hurt.',
      'The weekly farmers’ market will move to the square while the market hall is restored.',
      'Tickets for the pantomime at the Corn Exchange sold out within days.',
      '{person}, who has run the newsagent for thirty years, is retiring in the spring.'
    ],
    people: EN_PEOPLE,
    places: EN_PLACES,
    address: 'Courier House, 4 Quay Street, Elmbury',
    css: false,
    js: true,
    logo: false,
    colors: ['#b00020', '#fafafa']
  },
  {
    host: 'collections.eastgate-museum.org',
    scheme: 'https',
    lang: 'en',
    name: 'Eastgate Museum',
    tagline: 'Art, archaeology and natural history on the old quay',
    ip: '192.0.2.55',
    server: 'Apache',
    years: [2012, 2022],
    pages: 20,
    sections: [
      { path: 'collections', label: 'Collections' },
      { path: 'exhibitions', label: 'Exhibitions' },
      { path: 'learning', label: 'Learning' },
      { path: 'visit', label: 'Plan your visit' }
    ],
    subjects: [
      'Bronze Age hoard',
      'ceramics gallery',
      'textile collection',
      'ship models',
      'natural history hall',
      'coin cabinet',
      'Egyptian gallery',
      'clock and watch collection',
      'costume archive',
      'photography gallery',
      'fossil collection',
      'glassware collection'
    ],
    titles: ['The {s}', 'Exhibition: the {s}', 'Conserving the {s}', 'Five objects from the {s}', 'The {s}: now online'],
    sentences: [
      'The {s} includes objects donated by local families over more than a century.',
      'Conservators spent {n} hours cleaning and stabilising the pieces before they went on display.',
      'Each object in the online catalogue has a photograph, a description and a record of where it was found.',
      'The exhibition travels to {place} next spring.',
      'Visitors can handle replicas at the discovery table on Saturday mornings.',
      'Curator {person} chose the objects to show how everyday life changed across four centuries.',
      'Loans from national collections make it possible to show the {s} together for the first time.',
      'School groups can book guided sessions led by museum educators.',
      'The gallery is step-free, and a lift connects all floors.',
      'Light levels are kept low to protect dyes and pigments from fading.',
      'A metal detectorist reported the find to the finds liaison officer in {year}.',
      'Radiocarbon dating places the earliest pieces around three thousand years ago.',
      'Many of the labels were rewritten with help from a panel of young volunteers.',
      'Entry to the permanent collection is free, and special exhibitions are ticketed.',
      'Audio guides are available in five languages at the front desk.',
      'The museum was founded in 1872 in a former corn warehouse on the quay.',
      'Digitisation of the {s} is funded by a heritage lottery grant.',
      'Researchers can request access to the stores by writing to the collections team.',
      'Some objects are too fragile to travel and can only be seen here.',
      'The café on the ground floor serves lunches made with local produce.'
    ],
    people: EN_PEOPLE,
    places: EN_PLACES,
    address: 'Eastgate Museum, The Old Quay, Saltmarsh',
    css: true,
    js: false,
    logo: true,
    colors: ['#2a9d8f', '#fffbf2']
  },
  {
    host: 'www.lakemont-county.gov',
    scheme: 'http',
    lang: 'en',
    name: 'Lakemont County',
    tagline: 'Official website of Lakemont County government',
    ip: '198.51.100.80',
    server: 'Microsoft-IIS/7.5',
    years: [2008, 2019],
    pages: 16,
    sections: [
      { path: 'services', label: 'Services' },
      { path: 'records', label: 'Public Records' },
      { path: 'notices', label: 'Public Notices' },
      { path: 'about', label: 'About the County' }
    ],
    subjects: [
      'public records',
      'vital records',
      'property tax assessments',
      'election results',
      'the county budget',
      'road maintenance',
      'building permits',
      'the open data portal',
      'emergency preparedness',
      'the recycling schedule',
      'board meeting minutes'
    ],
    titles: ['{S}', '{S}: frequently asked questions', 'Notice: {s} update {year}', '{S} in {place} Township'],
    sentences: [
      'Requests for {s} may be submitted online, by mail, or in person at the county clerk’s office.',
      'Most requests are fulfilled within ten business days.',
      'Fees are set by state statute and are listed in the schedule below.',
      'The Board of Supervisors meets on the second Tuesday of each month at 7 p.m.',
      'Minutes and recordings of past meetings are kept permanently in the county archives.',
      'Residents of {place} Township should contact the township office for local permits.',
      'The adopted budget for fiscal year {year} totals {n} million dollars.',
      'Certified copies of birth and death certificates require a valid photo identification.',
      'Snow removal priority is given to emergency routes and school bus roads.',
      'Property owners may appeal their assessment within thirty days of the notice.',
      'The open data portal publishes datasets in CSV and JSON formats, updated weekly.',
      'Commissioner {person} announced a review of the records retention schedule.',
      'Electronic records are transferred to the state archives after their retention period ends.',
      'Polling places are open from 6 a.m. to 8 p.m. on election day.',
      'Hazardous household waste is collected twice a year at the fairgrounds.',
      'This page was last reviewed by the Office of Communications.',
      'Accessible formats of this document are available on request.',
      'Emergency alerts are sent by text message to residents who register.'
    ],
    people: EN_PEOPLE,
    places: EN_PLACES,
    address: 'Lakemont County Courthouse, 200 Main Street, Lakemont',
    css: false,
    js: false,
    logo: false,
    colors: ['#264653', '#ffffff']
  },
  {
    host: 'www.marginalia-notes.net',
    scheme: 'https',
    lang: 'en',
    name: 'Marginalia',
    tagline: 'Notes on web archives, search and digital preservation',
    ip: '203.0.113.99',
    server: 'nginx',
    years: [2014, 2024],
    pages: 16,
    sections: [
      { path: 'posts', label: 'Posts' },
      { path: 'tags', label: 'Tags' },
      { path: 'about', label: 'About' }
    ],
    subjects: [
      'link rot',
      'WARC files',
      'crawler traps',
      'full-text search',
      'dead URLs',
      'replaying JavaScript',
      'collection policy',
      'personal archives',
      'format migration',
      'deduplication',
      'capture quality',
      'citations'
    ],
    titles: ['On {s}', 'Notes on {s}', '{S}, revisited', 'What I learned about {s}', 'A short reading list on {s}'],
    sentences: [
      'I have been thinking about {s} again after a long conversation at a conference in {place}.',
      'A study I often cite found that a large share of links in scholarly articles no longer resolve after a decade.',
      'The WARC format stores each HTTP request and response together with metadata about when it was captured.',
      'Crawlers get stuck in calendars that generate an endless supply of next-month links.',
      'Deduplication saves space by recording a revisit instead of storing the same bytes twice.',
      'Search engines for archives must deal with many copies of almost identical pages.',
      'My colleague {person} pointed out that an archive is only as useful as the tools for finding things in it.',
      'Replaying a modern website means capturing every script, stylesheet and API response it depends on.',
      'Small institutions often cannot afford to run their own crawling infrastructure.',
      'In {year} I archived my own blog for the first time and discovered that half the images were missing.',
      'Good metadata is boring to create and priceless to have.',
      'Here are a few notes on {s}, mostly for my future self.',
      'Every format eventually becomes obsolete, but open and well-documented formats age more gracefully.',
      'Citing an archived copy alongside the live link protects readers from reference rot.',
      'The index built over {n} thousand captures fit comfortably on a laptop.',
      'Ranking results by date as well as relevance helps researchers trace how a story evolved.',
      'Comments are closed, but feel free to write to me by email.',
      'None of this is new, yet it still surprises people outside our small field.',
      'Web archives are a record of what people actually saw, not only of what they meant to publish.',
      'I will update this post when the slides from the workshop are online.'
    ],
    people: EN_PEOPLE,
    places: EN_PLACES,
    address: 'Written by one person, hosted on a small server',
    css: false,
    js: false,
    logo: false,
    colors: ['#333333', '#fdf6e3']
  },
  {
    host: 'www.bibliotheque-valmont.fr',
    scheme: 'https',
    lang: 'fr',
    name: 'Médiathèque de Valmont',
    tagline: 'Lire, découvrir et partager à Valmont',
    ip: '192.0.2.131',
    server: 'Apache/2.4.25 (Debian)',
    years: [2011, 2021],
    pages: 12,
    sections: [
      { path: 'actualites', label: 'Actualités' },
      { path: 'collections', label: 'Collections' },
      { path: 'infos-pratiques', label: 'Infos pratiques' }
    ],
    subjects: [
      'le fonds patrimonial',
      'l’heure du conte',
      'la numérisation des journaux',
      'les archives du web',
      'le club de lecture',
      'la grainothèque',
      'l’exposition de photographies',
      'les manuscrits médiévaux',
      'l’atelier d’écriture',
      'la ludothèque'
    ],
    titles: ['{S}', '{S} à la médiathèque', '{S} : le programme {year}', 'Tout savoir sur {s}', 'Nouveautés : {s}'],
    sentences: [
      'La médiathèque de Valmont accueille le public du mardi au samedi, de dix heures à dix-huit heures.',
      'L’inscription est gratuite pour les habitants de la commune et pour les étudiants.',
      'Pour découvrir {s}, de nombreux lecteurs viennent chaque année de toute la région.',
      'Les bibliothécaires proposent des visites guidées pour les classes des écoles de {place}.',
      'Plus de {n} documents anciens ont été restaurés grâce au soutien du département.',
      'Les journaux locaux du dix-neuvième siècle sont désormais consultables en ligne.',
      'Le dépôt légal du web permet de conserver la mémoire des sites consacrés à notre territoire.',
      'Une rencontre avec l’autrice {person} aura lieu samedi prochain dans l’auditorium.',
      'Les enfants peuvent emprunter jusqu’à dix livres pour une durée de trois semaines.',
      'Le programme complet des animations est disponible à l’accueil.',
      'Depuis {year}, la médiathèque participe à un réseau régional de conservation partagée.',
      'Les lecteurs déposent et échangent librement des graines de tomates, de haricots et de fleurs.',
      'Les manuscrits les plus fragiles ne sont communiqués que sur rendez-vous.',
      'Une connexion sans fil gratuite est disponible dans toutes les salles de lecture.',
      'Cette page a été mise à jour par l’équipe de la médiathèque.'
    ],
    people: ['Claire Fontaine', 'Hélène Marchal', 'Amélie Rousseau', 'Joséphine Lebrun', 'Margot Chevalier'],
    places: ['Valmont', 'Saint-Aubin-sur-Loire', 'Mareuil', 'Les Ormeaux'],
    address: 'Médiathèque de Valmont, 3 place de la Halle, 41000 Valmont',
    css: false,
    js: false,
    logo: false,
    colors: ['#003f88', '#ffffff']
  },
  {
    host: 'www.stadtarchiv-lindenau.de',
    scheme: 'https',
    lang: 'de',
    name: 'Stadtarchiv Lindenau',
    tagline: 'Das Gedächtnis der Stadt',
    ip: '198.51.100.150',
    server: 'Apache',
    years: [2013, 2024],
    pages: 12,
    sections: [
      { path: 'aktuelles', label: 'Aktuelles' },
      { path: 'bestaende', label: 'Bestände' },
      { path: 'benutzung', label: 'Benutzung' }
    ],
    subjects: [
      'das Fotoarchiv',
      'die Ratsprotokolle',
      'die Zeitungssammlung',
      'das Kirchenbuch',
      'die Webarchivierung',
      'die Stadtpläne des 19. Jahrhunderts',
      'die Nachlässe',
      'die Plakatsammlung',
      'die Schulchroniken',
      'die Adressbücher'
    ],
    titles: ['{S}', '{S} im Stadtarchiv', 'Neues aus dem Archiv: {s}', '{S} – Hinweise zur Benutzung', 'Jahresbericht {year}: {s}'],
    sentences: [
      'Das Stadtarchiv Lindenau sammelt und bewahrt Unterlagen zur Geschichte der Stadt seit dem Mittelalter.',
      'Einsicht in {s} ist im Lesesaal nach vorheriger Anmeldung möglich.',
      'Die Benutzung des Archivs ist für private Forschungszwecke kostenlos.',
      'Rund {n} Aufnahmen wurden in den letzten Jahren digitalisiert und online gestellt.',
      'Seit {year} archiviert das Stadtarchiv auch ausgewählte Internetseiten aus der Region.',
      'Frau {person} leitet die Abteilung für Bestandserhaltung.',
      'Ältere Akten sind in deutscher Kurrentschrift verfasst und erfordern Übung beim Lesen.',
      'Für Schulklassen bieten wir Führungen durch das Magazin an.',
      'Der Lesesaal ist von Dienstag bis Donnerstag zwischen neun und sechzehn Uhr geöffnet.',
      'Anfragen zur Familienforschung beantworten wir schriftlich innerhalb von vier Wochen.',
      'Schäden durch Feuchtigkeit und Schimmel werden in der Restaurierungswerkstatt behandelt.',
      'Das Archiv arbeitet eng mit dem Heimatverein {place} zusammen.',
      'Fotografieren für den eigenen Gebrauch ist ohne Blitz erlaubt.',
      'Die Digitalisate stehen unter einer freien Lizenz zur Verfügung.',
      'Im Jahr {year} übernahm das Archiv den Nachlass eines bekannten Buchdruckers.'
    ],
    people: ['Ingrid Baumann', 'Katrin Vogel', 'Ursula Kessler', 'Monika Brandt'],
    places: ['Lindenau', 'Oberweiler', 'Grünbach', 'Altenhof'],
    address: 'Stadtarchiv Lindenau, Marktplatz 7, 04177 Lindenau',
    css: false,
    js: false,
    logo: false,
    colors: ['#8d0801', '#fffdf7']
  },
  {
    host: 'www.sakuragawa-bunko.or.jp',
    scheme: 'https',
    lang: 'ja',
    name: 'さくら川文庫',
    tagline: '地域の記憶を未来へ',
    ip: '203.0.113.200',
    server: 'nginx',
    years: [2015, 2024],
    pages: 12,
    sections: [
      { path: 'news', label: 'お知らせ' },
      { path: 'collection', label: '所蔵資料' },
      { path: 'guide', label: '利用案内' }
    ],
    subjects: [
      '古地図コレクション',
      '郷土資料',
      'ウェブアーカイブ',
      '写真資料',
      '古文書',
      '絵本の部屋',
      '新聞縮刷版',
      '俳句の会',
      '和本の修復',
      '学校向け見学'
    ],
    titles: ['{s}', '{s}のご案内', '{s}について', '{year}年度の{s}', '{s}の新着情報'],
    sentences: [
      'さくら川文庫は、地域の歴史と文化に関する資料を収集し、保存しています。',
      '{s}は、閲覧室で事前予約のうえご覧いただけます。',
      '開館時間は午前九時から午後五時までです。月曜日は休館日です。',
      'これまでに約{n}点の資料をデジタル化し、インターネットで公開しました。',
      '{year}年から、地域のウェブサイトを定期的に収集するウェブアーカイブ事業を始めました。',
      '古い和本は傷みやすいため、専門の職員が一枚ずつ丁寧に修復しています。',
      '{place}の小学校から、毎年多くの児童が見学に訪れます。',
      '学芸員の{person}さんが、資料の見どころを分かりやすく解説します。',
      '利用登録は無料です。身分証明書をお持ちください。',
      '館内での写真撮影は、フラッシュを使用しなければ可能です。',
      '資料の複写をご希望の方は、受付にお申し出ください。',
      '季節ごとに小さな展示を行っています。',
      'お問い合わせは電話または電子メールで受け付けています。',
      'このページの内容は、文庫の職員が更新しています。'
    ],
    people: ['山田', '佐藤', '中村', '高橋'],
    places: ['桜川町', '北山村', '川辺市'],
    address: 'さくら川文庫　桜川町本町二丁目',
    css: false,
    js: false,
    logo: false,
    colors: ['#d6336c', '#fff8fb']
  }
]
